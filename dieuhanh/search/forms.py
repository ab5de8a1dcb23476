from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.models import Confidentiality, DocumentStatus, DocumentType, Urgency

from .selectors import Filters

ANY = [("", _("Any"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=500)
    document_type_id = forms.ModelChoiceField(label=_("Type"), required=False,
                                              queryset=DocumentType.objects.filter(active=True))
    issuer = forms.CharField(label=_("Issuer"), required=False, max_length=255)
    symbol = forms.CharField(label=_("Number and symbol"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    urgency = forms.TypedChoiceField(label=_("Urgency"), required=False, coerce=int, empty_value=None,
                                     choices=ANY + list(Urgency.choices))
    confidentiality = forms.TypedChoiceField(label=_("Confidentiality"), required=False, coerce=int,
                                             empty_value=None, choices=ANY + list(Confidentiality.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + list(DocumentStatus.choices))
    unit_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    handler_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.ChoiceField(label=_("Sort by"), required=False,
                             choices=[("relevance", _("Relevance")), ("date", _("Date, newest first"))])

    def filters(self):
        data = self.cleaned_data
        doc_type = data.get("document_type_id")
        return Filters(document_type_id=doc_type.pk if doc_type else None, issuer=data.get("issuer") or "",
                       symbol=data.get("symbol") or "", date_from=data.get("date_from"),
                       date_to=data.get("date_to"), urgency=data.get("urgency"),
                       confidentiality=data.get("confidentiality"), status=data.get("status") or "",
                       unit_id=data.get("unit_id"), handler_id=data.get("handler_id"))

    def params(self):
        """The filled fields as plain values, to save the search or to link to the next page."""
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            out[name] = value.pk if hasattr(value, "pk") else (value.isoformat() if hasattr(value, "isoformat")
                                                                else value)
        return out


class SaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
