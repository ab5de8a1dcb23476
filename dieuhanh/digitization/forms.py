from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.forms import PaperForm
from dieuhanh.documents.models import AuthorityForm


class ConfirmForm(PaperForm):
    """The paper registration form, prefilled from what OCR read on the first page."""

    handler = forms.CharField(label=_("Unit or person handling"), max_length=255, required=False)
    # the signer block read from the scan (issue 18)
    authority = forms.ChoiceField(label=_("Authority form"), choices=AuthorityForm.choices, required=False)
    signer_position = forms.CharField(label=_("Signer position"), max_length=150, required=False)
    signer_name = forms.CharField(label=_("Signer"), max_length=150, required=False)


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
