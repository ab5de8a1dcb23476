"""/api/v1/signatures: my signing certificate, organization seals, the trust list, signature checks of files."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from dieuhanh.accounts.policy import is_system_admin
from dieuhanh.documents.models import Document, DocumentFile
from dieuhanh.documents.policy import can_view_document
from dieuhanh.units.selectors import get_unit

from . import pki, selectors, services
from .models import Credential

router = Router(tags=["signatures"])


class CredentialOut(Schema):
    id: int
    kind: str
    subject: str
    serial: str
    fingerprint: str
    not_after: str
    external: bool
    problem: str
    approved: bool


def credential_out(c):
    return {"id": c.pk, "kind": c.kind, "subject": c.subject, "serial": c.serial, "fingerprint": c.fingerprint,
            "not_after": c.not_after.isoformat(), "external": c.external, "problem": c.problem,
            "approved": c.approved_at is not None}


class PendingOut(CredentialOut):
    holder_id: int | None
    holder: str
    unit_id: int | None


class PendingPage(Schema):
    items: list[PendingOut]
    next_cursor: str | None


class ApprovalIn(Schema):
    reason: str = Field(..., max_length=1000)


class PemIn(Schema):
    certificate_pem: str = Field(..., min_length=20, max_length=20000)
    name: str = Field("", max_length=200)


def _p12(file):
    data = file.read(services.MAX_P12_BYTES + 1)
    if len(data) > services.MAX_P12_BYTES:
        raise ValidationError({"file": _("Give a PKCS#12 (.p12/.pfx) file of at most 64 KB.")})
    return data


@router.get("/signatures/credentials/me", response={200: CredentialOut, 204: None},
            summary="My current signing certificate")
def my_credential(request):
    credential = services.current_credential(user=request.user)
    return (200, credential_out(credential)) if credential else (204, None)


@router.post("/signatures/credentials", response={201: CredentialOut},
             summary="Import my PKCS#12 (kept encrypted with my passphrase)")
def import_mine(request, file: UploadedFile = File(...), passphrase: str = Form(..., max_length=1000),
                request_approval: bool = Form(False)):
    credential = services.import_personal_credential(actor=request.user, p12=_p12(file), passphrase=passphrase,
                                                     request_approval=request_approval)
    return 201, credential_out(credential)


@router.get("/signatures/credentials/pending", response=PendingPage,
            summary="Certificates awaiting an administrator's approval (system administrators)")
def pending(request, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    if not is_system_admin(request.user):
        raise PermissionDenied(_("Only a system administrator approves a certificate."))
    page = selectors.pending_approval_page(cursor=cursor, limit=limit)
    return {"items": [{**credential_out(c), "holder_id": c.user_id, "unit_id": c.unit_id,
                       "holder": (c.user.full_name or c.user.username) if c.user else c.unit.name if c.unit else ""}
                      for c in page.items], "next_cursor": page.next_cursor}


@router.post("/signatures/credentials/{credential_id}/approve", response={200: CredentialOut},
             summary="Approve a certificate whose subject does not name its holder (system administrators)")
def approve(request, credential_id: int, payload: ApprovalIn):
    credential = get_object_or_404(Credential, pk=credential_id)
    return 200, credential_out(services.approve_credential(actor=request.user, credential=credential,
                                                           reason=payload.reason))


@router.post("/signatures/credentials/external", response={201: CredentialOut},
             summary="Register my certificate whose key is on a token or a remote signing service")
def register_external(request, payload: PemIn):
    return 201, credential_out(services.register_external_credential(actor=request.user,
                                                                     certificate_pem=payload.certificate_pem))


@router.post("/signatures/organizations/{unit_id}", response={201: CredentialOut},
             summary="Import a unit's organization certificate (administrators)")
def import_seal(request, unit_id: int, file: UploadedFile = File(...), passphrase: str = Form(...)):
    credential = services.import_organization_credential(actor=request.user, unit=get_unit(unit_id), p12=_p12(file),
                                                         passphrase=passphrase)
    return 201, credential_out(credential)


@router.post("/signatures/trust", response={201: dict}, summary="Add a root certificate to the trust list")
def add_trust(request, payload: PemIn):
    anchor = services.add_trust_anchor(actor=request.user, certificate_pem=payload.certificate_pem,
                                       name=payload.name)
    return 201, {"id": anchor.pk, "name": anchor.name, "fingerprint": anchor.fingerprint}


@router.get("/signatures/trust", response=list[dict], summary="The trust list")
def trust_list(request):
    return [{"name": pki.describe(pki.load_pem(pem))["subject"], **{
        k: v for k, v in pki.describe(pki.load_pem(pem)).items() if k in ("fingerprint", "issuer")}}
        for pem in services.trust_pems()]


def _document_file(request, document_id, file_id):
    doc_file = get_object_or_404(DocumentFile.objects.select_related("document__issuing_unit", "blob"),
                                 pk=file_id, document_id=document_id)
    if not can_view_document(request.user, doc_file.document):
        raise Http404
    return doc_file


@router.post("/documents/{document_id}/files/{file_id}/check-signatures", response=dict,
             summary="Validate every signature of a document's PDF now")
def check_file(request, document_id: int, file_id: int):
    check = services.check_blob(actor=request.user, blob=_document_file(request, document_id, file_id).blob)
    return selectors.check_out(check)


@router.get("/documents/{document_id}/signatures", response=list[dict],
            summary="The latest signature check of each PDF of a document")
def document_checks(request, document_id: int):
    document = get_object_or_404(Document.objects.select_related("issuing_unit"), pk=document_id)
    if not can_view_document(request.user, document):
        raise Http404
    return [{"file_id": f.pk, "name": f.name, **(selectors.check_out(check) if check else {"outcome": None})}
            for f, check in selectors.document_checks(document)]
