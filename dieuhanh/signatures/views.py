"""The on-demand signature check from a document's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dieuhanh.documents.models import DocumentFile
from dieuhanh.documents.policy import can_view_document

from . import services


@login_required
@require_POST
def check(request, document_id, file_id):
    doc_file = get_object_or_404(DocumentFile.objects.select_related("document__issuing_unit", "blob"),
                                 pk=file_id, document_id=document_id)
    if not can_view_document(request.user, doc_file.document):
        raise Http404
    try:
        result = services.check_blob(actor=request.user, blob=doc_file.blob)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Signatures checked: %(outcome)s") % {"outcome": result.get_outcome_display()})
    return redirect("documents:detail", document_id=document_id)
