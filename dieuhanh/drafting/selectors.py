"""Reads for drafts: the four personal lists and the clerks' queue (one query each, keyset pages), a draft's page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.policy import unit_ids_with_roles
from dieuhanh.documents.policy import cleared_q
from dieuhanh.kernel.pagination import capped_count, keyset_page
from dieuhanh.units.selectors import member_unit_ids

from . import policy
from .models import Draft, DraftStatus, Opinion, Signature, Step, StepState

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dieuhanh.accounts.models import User
    from dieuhanh.drafting.models import Consultation, DraftVersion
    from dieuhanh.kernel.pagination import Page

LISTS = ("mine", "opinion", "signature", "returned", "to_issue")
LABELS = {"mine": _("My drafts"), "opinion": _("Awaiting my opinion"), "signature": _("Awaiting my signature"),
          "returned": _("Returned"), "to_issue": _("Signed, awaiting number")}


def _cleared(qs: QuerySet[Draft], user: User) -> QuerySet[Draft]:
    """Never list what the person could not open: the documents' one clearance and zone rule."""
    return qs.filter(cleared_q(user))


def drafts_for(user: User, kind: str = "mine") -> QuerySet[Draft]:
    qs = Draft.objects.select_related("unit", "document_type", "created_by")
    if kind == "mine":
        qs = qs.filter(created_by=user)
    elif kind == "returned":
        qs = qs.filter(created_by=user, status__in=[DraftStatus.RETURNED, DraftStatus.NUMBER_REFUSED])
    elif kind == "opinion":
        open_for_me = Opinion.objects.filter(consultation__draft=OuterRef("pk"), answered_at__isnull=True).filter(
            Q(user=user) | Q(unit_id__in=member_unit_ids(user)))
        qs = qs.filter(Exists(open_for_me)).exclude(status__in=[DraftStatus.ISSUED, DraftStatus.CANCELLED])
    elif kind == "signature":
        mine = Step.objects.filter(draft=OuterRef("pk"), round=OuterRef("round"), assignee=user,
                                   state=StepState.CURRENT)
        qs = qs.filter(Exists(mine))
    elif kind == "to_issue":
        qs = qs.filter(status=DraftStatus.SIGNED, unit_id__in=unit_ids_with_roles(user, policy.CLERKS))
    else:
        raise ValueError(kind)
    return _cleared(qs, user)


def draft_page(user: User, kind: str = "mine", cursor: str | None = None, limit: int = 50) -> Page:
    return keyset_page(drafts_for(user, kind), ["-id"], cursor=cursor, limit=limit)


def counters(user: User) -> dict[str, int]:
    return {kind: capped_count(drafts_for(user, kind)) for kind in LISTS}


def get_draft(draft_id: int) -> Draft:
    return get_object_or_404(Draft.objects.select_related("unit", "drafting_unit", "document_type", "created_by",
                                                          "document"), pk=draft_id)


def steps_of(draft: Draft) -> list[Step]:
    return list(draft.steps.select_related("assignee", "routed_by").order_by("round", "order"))


def versions_of(draft: Draft) -> list[DraftVersion]:
    return list(draft.versions.select_related("blob", "pdf_blob", "created_by").order_by("-number"))


def consultations_of(draft: Draft) -> list[Consultation]:
    consultations = list(draft.consultations.select_related("asked_by").order_by("-id"))
    opinions = Opinion.objects.filter(consultation__in=consultations).select_related("user", "unit", "answered_by")
    by_consultation: dict[int, list[Opinion]] = {}
    for opinion in opinions:
        by_consultation.setdefault(opinion.consultation_id, []).append(opinion)
    for consultation in consultations:
        consultation.opinion_list = by_consultation.get(consultation.pk, [])
    return consultations


def signatures_of(draft: Draft) -> list[Signature]:
    return list(Signature.objects.filter(draft=draft).select_related("signer", "step", "version", "blob_after")
                .order_by("id"))


def current_step(draft: Draft) -> Step | None:
    return draft.steps.filter(round=draft.round, state=StepState.CURRENT).select_related("assignee").first()
