from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.forms import PaperForm


class ConfirmForm(PaperForm):
    """The paper registration form, prefilled from what OCR read on the first page."""

    handler = forms.CharField(label=_("Unit or person handling"), max_length=255, required=False)


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
