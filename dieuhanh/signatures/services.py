"""Writes for signing credentials and the trust list, signing with them, and checking the signatures of files."""

import functools
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import can_manage_unit, is_system_admin, require
from dieuhanh.audit.services import record
from dieuhanh.documents import storage

from . import pades, pki
from .models import CheckOutcome, Credential, CredentialKind, SignatureCheck, TrustAnchor

MAX_P12_BYTES = 64 * 1024


def server_passphrase():
    """Protects the keys the server applies by itself (organization seals, the demo CA and TSA). Derived from the
    secret key unless DIEUHANH_SERVER_KEY_PASSPHRASE is set; production seals belong on an HSM (external signer)."""
    configured = getattr(settings, "DIEUHANH_SERVER_KEY_PASSPHRASE", "")
    if configured:
        return configured
    return hmac.new(settings.SECRET_KEY.encode(), b"dieuhanh-server-keys", hashlib.sha256).hexdigest()


def _credential_row(kind, issued_cert, *, user=None, unit=None, p12=None):
    info = pki.describe(issued_cert)
    return Credential.objects.create(
        kind=kind, user=user, unit=unit, p12=p12, subject=info["subject"][:200], serial=info["serial"][:64],
        fingerprint=info["fingerprint"], not_after=info["not_after"],
        certificate_pem=issued_cert.public_bytes(pki.serialization.Encoding.PEM).decode())


def _revoke_current(kind, *, user=None, unit=None):
    Credential.objects.filter(kind=kind, user=user, unit=unit, revoked_at__isnull=True).update(
        revoked_at=timezone.now())


def _load_p12(data, passphrase, field="p12"):
    if not data or len(data) > MAX_P12_BYTES:
        raise ValidationError({field: _("Give a PKCS#12 (.p12/.pfx) file of at most 64 KB.")})
    try:
        key, cert, chain = pki.load_p12(bytes(data), passphrase)
    except ValueError as exc:
        raise ValidationError({"passphrase": _("Wrong passphrase, or not a PKCS#12 file.")}) from exc
    if cert.not_valid_after_utc < timezone.now():
        raise ValidationError({field: _("This certificate has expired.")})
    return key, cert, chain


@transaction.atomic
def import_personal_credential(*, actor, p12, passphrase):
    """The signer brings their own PKCS#12; it stays encrypted with their passphrase, which is never stored."""
    require(actor and actor.is_authenticated, _("Sign in first."))
    _key, cert, _chain = _load_p12(p12, passphrase)
    _revoke_current(CredentialKind.PERSONAL, user=actor)
    credential = _credential_row(CredentialKind.PERSONAL, cert, user=actor, p12=bytes(p12))
    record(actor=actor, action="signature.credential.import", obj=credential,
           data={"kind": credential.kind, "subject": credential.subject, "fingerprint": credential.fingerprint})
    return credential


@transaction.atomic
def register_external_credential(*, actor, certificate_pem):
    """A personal certificate whose key stays on a USB token or a remote signing service
    (see DIEUHANH_EXTERNAL_SIGNER)."""
    require(actor and actor.is_authenticated, _("Sign in first."))
    try:
        cert = pki.load_pem(certificate_pem)
    except ValueError as exc:
        raise ValidationError({"certificate_pem": _("Not a PEM certificate.")}) from exc
    _revoke_current(CredentialKind.PERSONAL, user=actor)
    credential = _credential_row(CredentialKind.PERSONAL, cert, user=actor)
    record(actor=actor, action="signature.credential.external", obj=credential,
           data={"subject": credential.subject, "fingerprint": credential.fingerprint})
    return credential


@transaction.atomic
def import_organization_credential(*, actor, unit, p12, passphrase):
    """The organization's seal certificate; re-wrapped with the server passphrase so clerks apply it at issue."""
    require(is_system_admin(actor) or can_manage_unit(actor, unit), _("Only an administrator of the unit can do this."))
    key, cert, chain = _load_p12(p12, passphrase)
    _revoke_current(CredentialKind.ORGANIZATION, unit=unit)
    credential = _credential_row(CredentialKind.ORGANIZATION, cert, unit=unit,
                                 p12=pki.Issued(key, cert).p12(server_passphrase(), chain=chain))
    record(actor=actor, action="signature.credential.import", obj=credential, unit=unit,
           data={"kind": credential.kind, "subject": credential.subject, "fingerprint": credential.fingerprint})
    return credential


@transaction.atomic
def add_trust_anchor(*, actor, certificate_pem, name=""):
    require(is_system_admin(actor), _("Only a system administrator manages the trust list."))
    try:
        cert = pki.load_pem(certificate_pem)
    except ValueError as exc:
        raise ValidationError({"certificate_pem": _("Not a PEM certificate.")}) from exc
    info = pki.describe(cert)
    anchor, _created = TrustAnchor.objects.update_or_create(
        fingerprint=info["fingerprint"],
        defaults={"name": (name or info["subject"])[:200], "certificate_pem": certificate_pem, "active": True})
    record(actor=actor, action="signature.trust.add", obj=anchor, data={"fingerprint": anchor.fingerprint})
    return anchor


def trust_pems():
    """The trust list: active anchors in the database plus PEM files named in DIEUHANH_TRUST_ROOTS."""
    pems = list(TrustAnchor.objects.filter(active=True).values_list("certificate_pem", flat=True))
    for path in getattr(settings, "DIEUHANH_TRUST_ROOTS", []):
        with open(path) as fh:
            pems.append(fh.read())
    return pems


# --- Signing -------------------------------------------------------------------------------------------------

def current_credential(*, user=None, unit=None):
    kind = CredentialKind.PERSONAL if user is not None else CredentialKind.ORGANIZATION
    return (Credential.objects.filter(kind=kind, user=user, unit=unit, revoked_at__isnull=True,
                                      not_after__gt=timezone.now()).order_by("-created_at").first())


def signer_for(credential, passphrase):
    """A pyHanko signer for ``credential``; the key is decrypted for this call only."""
    cert = pki.load_pem(credential.certificate_pem)
    if credential.external:
        hook_path = getattr(settings, "DIEUHANH_EXTERNAL_SIGNER", "")
        if not hook_path:
            raise ValidationError({"credential": _("This key is on an external device, and no external signer is "
                                                   "configured (DIEUHANH_EXTERNAL_SIGNER).")})
        hook = import_string(hook_path)
        return pades.HookSigner(cert, functools.partial(hook, credential))
    try:
        key, cert, chain = pki.load_p12(bytes(credential.p12), passphrase)
    except ValueError as exc:
        raise ValidationError({"passphrase": _("Wrong signing passphrase.")}) from exc
    return pades.software_signer(key, cert, chain)


def timestamper():
    """None, the demo's local time-stamp authority ("local"), or an RFC 3161 server at DIEUHANH_TSA_URL."""
    url = getattr(settings, "DIEUHANH_TSA_URL", "")
    if not url:
        return None
    if url == "local":
        tsa = Credential.objects.filter(kind=CredentialKind.TSA, revoked_at__isnull=True).order_by("-pk").first()
        if tsa is None:
            return None
        key, cert, _chain = pki.load_p12(bytes(tsa.p12), server_passphrase())
        return pades.local_timestamper(pki.Issued(key, cert))
    return pades.http_timestamper(url)


def sign_bytes(pdf_bytes, *, credential, passphrase, field_name, lines, placement, reason=""):
    try:
        return pades.sign(pdf_bytes, signer_for(credential, passphrase), field_name=field_name, lines=lines,
                          placement=placement, timestamper=timestamper(), reason=reason)
    except pades.SignatureFailed as exc:
        raise ValidationError({"file": str(exc)}) from exc


# --- Checking ------------------------------------------------------------------------------------------------

def _outcome(results):
    if not results:
        return CheckOutcome.UNSIGNED
    return CheckOutcome.VALID if all(r["valid"] for r in results) else CheckOutcome.INVALID


@transaction.atomic
def check_blob(*, actor, blob):
    """Validate every signature of a stored PDF against the trust list now, and keep the result. Callers check
    that ``actor`` may see the file."""
    if blob.content_type != "application/pdf":
        raise ValidationError({"file": _("Only PDF files carry digital signatures here.")})
    with storage.open_blob(blob) as fh:
        data = fh.read()
    try:
        results = pades.validate(data, trust_pems())
        outcome = _outcome(results)
    except ValueError as exc:
        results, outcome = [{"problem": str(exc)[:300]}], CheckOutcome.UNREADABLE
    check = SignatureCheck.objects.create(blob=blob, outcome=outcome, results=results,
                                          checked_by=actor if actor is not None and actor.is_authenticated else None)
    record(actor=actor, action="signature.check", obj=check,
           data={"sha256": blob.sha256, "outcome": outcome, "signatures": len(results)})
    return check

