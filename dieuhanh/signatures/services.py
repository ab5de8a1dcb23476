"""Writes for signing credentials and the trust list, signing with them, and checking the signatures of files."""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import can_manage_unit, is_system_admin, require
from dieuhanh.audit.services import record
from dieuhanh.documents import storage
from dieuhanh.kernel.text import fold, nfc

from . import pades, pki
from .models import CheckOutcome, Credential, CredentialKind, SignatureCheck, TrustAnchor

if TYPE_CHECKING:
    from typing import Any

    from pyhanko.sign.signers import Signer

    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Blob, Document
    from dieuhanh.units.models import Unit

MAX_P12_BYTES = 64 * 1024


def server_passphrase() -> str:
    """Protects the keys the server applies by itself (organization seals, the demo CA and TSA). Derived from the
    secret key unless DIEUHANH_SERVER_KEY_PASSPHRASE is set; production seals belong on an HSM (external signer)."""
    configured = getattr(settings, "DIEUHANH_SERVER_KEY_PASSPHRASE", "")
    if configured:
        return configured
    return hmac.new(settings.SECRET_KEY.encode(), b"dieuhanh-server-keys", hashlib.sha256).hexdigest()


def credential_row(kind: str, issued_cert: Any, *, user: User | None = None, unit: Unit | None = None,
                   p12: bytes | None = None, problem: str = "") -> Credential:
    info = pki.describe(issued_cert)
    return Credential.objects.create(
        kind=kind, user=user, unit=unit, p12=p12, subject=info["subject"][:200], serial=info["serial"][:64],
        fingerprint=info["fingerprint"], not_after=info["not_after"], problem=problem[:300],
        certificate_pem=issued_cert.public_bytes(pki.serialization.Encoding.PEM).decode())


def trusted_roots() -> list:
    roots = []
    for pem in trust_pems():
        try:
            roots.append(pki.load_pem(pem))
        except ValueError:  # a damaged anchor trusts nothing; the others still count
            continue
    return roots


def _subject_problem(cert: bytes, *, user: User | None = None, unit: Unit | None = None) -> str:
    """Why the certificate's subject does not name its holder, or "". Names are compared folded (case, diacritics,
    đ/d, spaces), because CAs often write Vietnamese names without accents. A person is named by the common name;
    a unit by the common name or the organization name."""
    common, organization = pki.subject_names(cert)
    if user is not None:
        expected = [user.full_name] if user.full_name else [user.username]
        given = common
    else:
        assert unit is not None  # the holder is a person or a unit
        expected = [unit.name]
        given = common + organization
    if {fold(nfc(n)) for n in expected} & {fold(nfc(n)) for n in given}:
        return ""
    return _("The certificate names %(subject)s, not %(holder)s.") % {
        "subject": ", ".join(given) or "?", "holder": expected[0]}


def _check_credential(cert: bytes, chain: Any, field: str, *, user: User | None = None, unit: Unit | None = None,
                      request_approval: bool = False) -> str:
    """Refuse a certificate that does not reach a trusted root (no exception: a recipient could not trust its
    signatures either); a subject that does not name the holder is refused too, unless the holder asks for an
    administrator's approval, in which case the problem is returned and stored with the credential."""
    if not pki.reaches_root(cert, chain, trusted_roots()):
        raise ValidationError({field: _("This certificate does not chain to a trusted root of this installation "
                                        "(issuer: %(issuer)s). Ask an administrator to add the authority's root "
                                        "certificate to the trust list.") % {"issuer": pki.describe(cert)["issuer"]}})
    problem = _subject_problem(cert, user=user, unit=unit)
    if problem and not request_approval:
        raise ValidationError({field: problem + " " + _("Import a certificate issued to you, or ask for an "
                                                        "administrator's approval.")})
    return problem


def revoke_current(kind: str, *, user: User | None = None, unit: Unit | None = None) -> None:
    Credential.objects.filter(kind=kind, user=user, unit=unit, revoked_at__isnull=True).update(
        revoked_at=timezone.now())


def _load_p12(data: bytes, passphrase: str, field: str = "p12") -> tuple[Any, Any, Any]:
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
def import_personal_credential(*, actor: User, p12: bytes, passphrase: str,
                               request_approval: bool = False) -> Credential:
    """The signer brings their own PKCS#12; it stays encrypted with their passphrase, which is never stored.
    It must chain to a trusted root and name the signer; with ``request_approval`` a certificate whose subject
    does not match is kept, unusable, until an administrator approves it (approve_credential)."""
    require(actor and actor.is_authenticated, _("Sign in first."))
    _key, cert, chain = _load_p12(p12, passphrase)
    problem = _check_credential(cert, chain, "p12", user=actor, request_approval=request_approval)
    if not problem:  # a pending one does not replace the certificate the signer uses now
        revoke_current(CredentialKind.PERSONAL, user=actor)
    credential = credential_row(CredentialKind.PERSONAL, cert, user=actor, p12=bytes(p12), problem=problem)
    record(actor=actor, action="signature.credential.import", obj=credential,
           data={"kind": credential.kind, "subject": credential.subject, "fingerprint": credential.fingerprint,
                 "problem": problem})
    return credential


@transaction.atomic
def register_external_credential(*, actor: User, certificate_pem: Any) -> Credential:
    """A personal certificate whose key stays on a USB token or a remote signing service
    (see DIEUHANH_EXTERNAL_SIGNER)."""
    require(actor and actor.is_authenticated, _("Sign in first."))
    try:
        cert = pki.load_pem(certificate_pem)
    except ValueError as exc:
        raise ValidationError({"certificate_pem": _("Not a PEM certificate.")}) from exc
    _check_credential(cert, [], "certificate_pem", user=actor)
    revoke_current(CredentialKind.PERSONAL, user=actor)
    credential = credential_row(CredentialKind.PERSONAL, cert, user=actor)
    record(actor=actor, action="signature.credential.external", obj=credential,
           data={"subject": credential.subject, "fingerprint": credential.fingerprint})
    return credential


@transaction.atomic
def import_organization_credential(*, actor: User, unit: Unit, p12: bytes, passphrase: str) -> Credential:
    """The organization's seal certificate; re-wrapped with the server passphrase so clerks apply it at issue."""
    require(is_system_admin(actor) or can_manage_unit(actor, unit), _("Only an administrator of the unit can do this."))
    key, cert, chain = _load_p12(p12, passphrase)
    _check_credential(cert, chain, "p12", unit=unit)
    revoke_current(CredentialKind.ORGANIZATION, unit=unit)
    credential = credential_row(CredentialKind.ORGANIZATION, cert, unit=unit,
                                 p12=pki.Issued(key, cert).p12(server_passphrase(), chain=chain))
    record(actor=actor, action="signature.credential.import", obj=credential, unit=unit,
           data={"kind": credential.kind, "subject": credential.subject, "fingerprint": credential.fingerprint})
    return credential


@transaction.atomic
def add_trust_anchor(*, actor: User, certificate_pem: Any, name: str = "") -> TrustAnchor:
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


@transaction.atomic
def approve_credential(*, actor: User, credential: Credential, reason: str) -> Credential:
    """A system administrator's explicit exception for a certificate whose subject does not name its holder (a
    name spelt otherwise by the CA); the reason is kept in the audit log. It becomes the holder's current one."""
    require(is_system_admin(actor), _("Only a system administrator approves a certificate."))
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("At most 1000 characters.")})
    if not credential.problem or credential.approved_at is not None or credential.revoked_at is not None:
        raise ValidationError({"credential": _("This certificate does not wait for an approval.")})
    Credential.objects.filter(kind=credential.kind, user=credential.user, unit=credential.unit,
                              revoked_at__isnull=True).exclude(pk=credential.pk).update(revoked_at=timezone.now())
    credential.approved_by, credential.approved_at = actor, timezone.now()
    credential.save(update_fields=["approved_by", "approved_at"])
    record(actor=actor, action="signature.credential.approve", obj=credential, unit=credential.unit,
           data={"holder": credential.user_id, "subject": credential.subject, "fingerprint": credential.fingerprint,
                 "problem": credential.problem, "reason": reason})
    return credential


def trust_pems() -> list[str]:
    """The trust list: active anchors in the database plus PEM files named in DIEUHANH_TRUST_ROOTS."""
    pems = list(TrustAnchor.objects.filter(active=True).values_list("certificate_pem", flat=True))
    for path in getattr(settings, "DIEUHANH_TRUST_ROOTS", []):
        with open(path) as fh:
            pems.append(fh.read())
    return pems


# --- Signing -------------------------------------------------------------------------------------------------

def current_credential(*, user: User | None = None, unit: Unit | None = None) -> Credential | None:
    kind = CredentialKind.PERSONAL if user is not None else CredentialKind.ORGANIZATION
    # a credential with a subject problem counts only once an administrator approved it
    return (Credential.objects.filter(kind=kind, user=user, unit=unit, revoked_at__isnull=True,
                                      not_after__gt=timezone.now())
            .filter(Q(problem="") | Q(approved_at__isnull=False)).order_by("-created_at").first())


def signer_for(credential: Credential, passphrase: str) -> Signer:
    """A pyHanko signer for ``credential``; the key is decrypted for this call only."""
    cert = pki.load_pem(credential.certificate_pem)
    if credential.external:
        hook_path = getattr(settings, "DIEUHANH_EXTERNAL_SIGNER", "")
        if not hook_path:
            raise ValidationError({"credential": _("This key is on an external device, and no external signer is "
                                                   "configured (DIEUHANH_EXTERNAL_SIGNER).")})
        hook = import_string(hook_path)
        return pades.HookSigner(cert, functools.partial(hook, credential))
    assert credential.p12 is not None  # only a credential on an external device has no key file here
    try:
        key, cert, chain = pki.load_p12(bytes(credential.p12), passphrase)
    except ValueError as exc:
        raise ValidationError({"passphrase": _("Wrong signing passphrase.")}) from exc
    return pades.software_signer(key, cert, chain)


def timestamper() -> Any:
    """None, the demo's local time-stamp authority ("local"), or an RFC 3161 server at DIEUHANH_TSA_URL."""
    url = getattr(settings, "DIEUHANH_TSA_URL", "")
    if not url:
        return None
    if url == "local":
        tsa = Credential.objects.filter(kind=CredentialKind.TSA, revoked_at__isnull=True).order_by("-pk").first()
        if tsa is None:
            return None
        assert tsa.p12 is not None  # the local authority's key is kept here
        key, cert, _chain = pki.load_p12(bytes(tsa.p12), server_passphrase())
        return pades.local_timestamper(pki.Issued(key, cert))
    return pades.http_timestamper(url)


def sign_bytes(pdf_bytes: bytes, *, credential: Credential, passphrase: str, field_name: Any, lines: Any,
               placement: Any, reason: str = "") -> bytes:
    try:
        return pades.sign(pdf_bytes, signer_for(credential, passphrase), field_name=field_name, lines=lines,
                          placement=placement, timestamper=timestamper(), reason=reason)
    except pades.SignatureFailed as exc:
        raise ValidationError({"file": str(exc)}) from exc


# --- Checking ------------------------------------------------------------------------------------------------

def require_valid_signatures(pdf_bytes: bytes, *, required: bool = False, name: str = "") -> None:
    """Refuse (field ``signatures``, naming each failing signer and why) a PDF about to be issued whose
    signatures do not all validate against the installation's trust list; a recipient could not trust them
    either. An unsigned PDF (a scan of a paper signature) passes unless ``required``."""
    if not required and b"/ByteRange" not in pdf_bytes:  # no signature dictionary: nothing to validate
        return
    prefix = f"{name}: " if name else ""
    try:
        results = pades.validate(pdf_bytes, trust_pems())
    except ValueError as exc:
        raise ValidationError({"signatures": prefix + _("The signed file cannot be read: %(problem)s")
                               % {"problem": str(exc)[:200]}}) from exc
    bad = [r for r in results if not r["valid"]]
    if not bad and (results or not required):
        return
    reasons = "; ".join(f"{r['signer'] or r['field']}: {_(r['problem']) if r['problem'] else _('not valid')}"
                        for r in bad) or _("no signature")
    raise ValidationError({"signatures": prefix + _("The document is not issued: its signatures do not validate "
                                                    "(%(reasons)s).") % {"reasons": reasons}})


def require_valid_document_signatures(document: Document) -> None:
    """``require_valid_signatures`` for every PDF of ``document`` (one query for the files)."""
    for doc_file in document.files.filter(blob__content_type="application/pdf").select_related("blob"):
        with storage.open_blob(doc_file.blob) as fh:
            require_valid_signatures(fh.read(), name=doc_file.name)

def _outcome(results: Any) -> CheckOutcome:
    if not results:
        return CheckOutcome.UNSIGNED
    return CheckOutcome.VALID if all(r["valid"] for r in results) else CheckOutcome.INVALID


@transaction.atomic
def check_blob(*, actor: User, blob: Blob) -> SignatureCheck:
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

