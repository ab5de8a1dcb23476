from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.forms import OutgoingForm

from .models import StepAction

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class DraftForm(OutgoingForm):
    """The document fields of a draft and its file; signer and pages are known only when it is signed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("signer_name", "signer_position", "authority", "page_count"):
            del self.fields[name]
        self.fields["file"] = forms.FileField(label=_("Draft file (.docx, .odt or PDF)"))


class ConsultForm(forms.Form):
    people = forms.MultipleChoiceField(label=_("People"), required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 5}))
    units = forms.MultipleChoiceField(label=_("Units"), required=False, widget=forms.SelectMultiple(attrs={"size": 5}))
    due_date = forms.DateField(label=_("Opinions by"), **DATE)
    question = forms.CharField(label=_("Question"), required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 2}))


class RouteForm(forms.Form):
    """Who handles the draft next, and what they are asked to do."""

    next_user = forms.ChoiceField(label=_("Next person"), required=False)
    next_action = forms.ChoiceField(label=_("Asked to"), choices=StepAction.choices, initial=StepAction.REVIEW)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_user"].choices = [("", "—")] + [(str(p.pk), f"{p.full_name} ({p.username})")
                                                         for p in people]
