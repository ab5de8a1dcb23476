from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.forms import OutgoingForm
from dieuhanh.kernel.actions import ActionForm, NoFieldsForm, ReasonForm  # noqa: F401 (this page's forms)
from dieuhanh.kernel.forms import IdField, IdListField, LookupIdField, TextField
from dieuhanh.units.models import Unit, UnitStatus

from .models import StepAction

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class DraftForm(OutgoingForm):
    """The document fields of a draft and its file; signer and pages are known only when it is signed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("signer_name", "signer_position", "authority", "page_count"):
            del self.fields[name]
        self.fields["file"] = forms.FileField(label=_("Draft file (.docx, .odt or PDF)"))


def people_for(draft):
    """Who may take a step or give an opinion: active, cleared people of the issuing unit and the units below it."""
    below = Unit.objects.filter(path__startswith=draft.unit.path, status=UnitStatus.ACTIVE)
    return (get_user_model().objects.filter(memberships__ended_at__isnull=True, memberships__unit__in=below,
                                            is_active=True, clearance__gte=draft.confidentiality)
            .distinct().order_by("sort_key")[:500])


class ConsultForm(ActionForm):
    """Ask for opinions: people offered are those who may take a step on the draft (``draft=`` when bound)."""

    service_fields = {"user_ids.": "people", "user_ids": "people", "unit_ids.": "units", "unit_ids": "units"}
    people = forms.TypedMultipleChoiceField(label=_("People"), required=False, coerce=int,
                                            widget=forms.SelectMultiple(attrs={"size": 5}))
    units = IdListField(label=_("Units"), widget=forms.SelectMultiple(attrs={"size": 5}))
    due_date = forms.DateField(label=_("Opinions by"), **DATE)
    question = forms.CharField(label=_("Question"), required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draft = self.context.get("draft")
        if draft is not None:
            self.fields["people"].choices = [(str(p.pk), p.full_name) for p in people_for(draft)]


# --- the other actions of a draft's page: each parses its fields; the service keeps every rule ---------------------

class ReviseForm(ActionForm):
    file = forms.FileField(required=False)
    note = TextField()


class AnswerForm(ActionForm):
    opinion_id = LookupIdField()
    answer = TextField()


class RouteFields(ActionForm):
    next_user = IdField()
    next_action = TextField()


class SubmitForm(RouteFields):
    template = IdField()


class StepForm(RouteFields):
    """Approve, initial, forward or sign the current step."""

    comment = TextField()
    passphrase = TextField()
    position = TextField()


class ReturnForm(ActionForm):
    reason = TextField()
    to_step = IdField()


class WithdrawForm(ActionForm):
    signature_id = LookupIdField()
    reason = TextField()


class IssueForm(ActionForm):
    signer_position = TextField()
    authority = TextField()


class RouteForm(forms.Form):
    """Who handles the draft next, and what they are asked to do."""

    next_user = forms.ChoiceField(label=_("Next person"), required=False)
    next_action = forms.ChoiceField(label=_("Asked to"), choices=StepAction.choices, initial=StepAction.REVIEW)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_user"].choices = [("", "—")] + [(str(p.pk), f"{p.full_name} ({p.username})")
                                                         for p in people]
