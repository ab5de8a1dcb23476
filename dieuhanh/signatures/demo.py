"""A demo PKI made on the spot: a test CA, a local time-stamp authority, a certificate for each demo leader and
each demo organization. Nothing is fetched; never use these keys for real documents."""

from django.db import transaction

from dieuhanh.audit.services import record

from . import pki
from .models import Credential, CredentialKind, TrustAnchor
from .services import credential_row, revoke_current, server_passphrase

CA_NAME = "dieuhanh Demo CA"


def _load(credential):
    key, cert, _chain = pki.load_p12(bytes(credential.p12), server_passphrase())
    return pki.Issued(key, cert)


@transaction.atomic
def ensure_ca():
    """The demo CA (created once) and its local time-stamp authority; the CA joins the trust list."""
    row = Credential.objects.filter(kind=CredentialKind.CA, revoked_at__isnull=True).order_by("pk").first()
    if row is not None:
        return _load(row)
    ca = pki.create_ca(CA_NAME, organization="dieuhanh demo")
    row = credential_row(CredentialKind.CA, ca.certificate, p12=ca.p12(server_passphrase()))
    tsa = pki.issue(ca, "dieuhanh Demo TSA", organization="dieuhanh demo", purpose="timestamping",
                    algorithm="rsa-2048")
    credential_row(CredentialKind.TSA, tsa.certificate, p12=tsa.p12(server_passphrase(), chain=[ca.certificate]))
    anchor = TrustAnchor.objects.create(name=CA_NAME, certificate_pem=ca.pem,
                                        fingerprint=pki.describe(ca.certificate)["fingerprint"])
    record(actor=None, action="signature.demo_ca", obj=anchor, data={"fingerprint": anchor.fingerprint})
    return ca


@transaction.atomic
def issue_personal(user, passphrase, *, algorithm="ecdsa-p256"):
    ca = ensure_ca()
    issued = pki.issue(ca, user.full_name or user.username, organization="dieuhanh demo", algorithm=algorithm)
    revoke_current(CredentialKind.PERSONAL, user=user)
    credential = credential_row(CredentialKind.PERSONAL, issued.certificate, user=user,
                                 p12=issued.p12(passphrase, chain=[ca.certificate]))
    record(actor=None, action="signature.demo_credential", obj=credential, data={"subject": credential.subject})
    return credential


@transaction.atomic
def issue_organization(unit, *, algorithm="ecdsa-p256"):
    ca = ensure_ca()
    issued = pki.issue(ca, unit.name, organization=unit.name, algorithm=algorithm)
    revoke_current(CredentialKind.ORGANIZATION, unit=unit)
    credential = credential_row(CredentialKind.ORGANIZATION, issued.certificate, unit=unit,
                                 p12=issued.p12(server_passphrase(), chain=[ca.certificate]))
    record(actor=None, action="signature.demo_credential", obj=credential, unit=unit,
           data={"subject": credential.subject})
    return credential
