from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.units.models import Unit, UnitStatus

from . import hooks
from .models import AuthorityForm, Confidentiality, DocumentType, Urgency
from .services import store_uploads


class TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.abbreviation})" if obj.abbreviation else obj.name


def type_field():
    types = DocumentType.objects.filter(active=True).order_by("system", "name")
    return TypeChoiceField(label=_("Type"), queryset=types)


def recipient_units(unit):
    """Units offered as recipients: the top two levels, the unit's neighbours and two levels below it."""
    parent_path = unit.path[:-4]
    qs = Unit.objects.filter(status=UnitStatus.ACTIVE).exclude(pk=unit.pk).filter(
        Q(depth__lte=2) | Q(path__startswith=parent_path, depth=unit.depth)
        | Q(path__startswith=unit.path, depth__lte=unit.depth + 2))
    return qs.order_by("path")


class OutgoingForm(forms.Form):
    document_type = None  # set in __init__
    subject = forms.CharField(label=_("Subject"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    signer_name = forms.CharField(label=_("Signer"), max_length=150, required=False)
    signer_position = forms.CharField(label=_("Signer position"), max_length=150, required=False)
    authority = forms.ChoiceField(label=_("Authority form"), choices=AuthorityForm.choices, required=False)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=0)
    confidentiality = forms.TypedChoiceField(label=_("Confidentiality"), choices=Confidentiality.choices, coerce=int,
                                             initial=0)
    page_count = forms.IntegerField(label=_("Pages"), min_value=1, max_value=99999, initial=1)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    recipients = forms.MultipleChoiceField(label=_("Recipients in the system"), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 8}))
    organs = forms.MultipleChoiceField(label=_("Outside organs (directory)"), required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 6}))
    external = forms.CharField(label=_("Outside recipients (one per line: code | name)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    paper = forms.CharField(label=_("Paper copies (one recipient per line)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"document_type": type_field(), **self.fields}
        self.fields["recipients"].choices = [(str(u.pk), "— " * (u.depth - 1) + u.name)
                                             for u in recipient_units(unit)[:2000]]
        # outside organs from the directory a higher app registers (exchange), beside the typed ones
        self.organ_names = dict(hooks.outside_recipients()[:5000])
        if self.organ_names:
            self.fields["organs"].choices = [(code, f"{name} ({code})") for code, name in self.organ_names.items()]
        else:
            del self.fields["organs"]

    def recipient_list(self):
        data = self.cleaned_data
        out = [{"unit_id": int(pk)} for pk in data.get("recipients") or []]
        out += [{"external_code": code, "name": self.organ_names[code], "channel": "gateway"}
                for code in data.get("organs") or [] if code in self.organ_names]
        for line in (data.get("external") or "").splitlines():
            if line.strip():
                code, _sep, name = line.partition("|")
                out.append({"external_code": code.strip(), "name": name.strip(), "channel": "gateway"})
        for line in (data.get("paper") or "").splitlines():
            if line.strip():
                out.append({"name": line.strip(), "channel": "paper"})
        return out


class PaperForm(forms.Form):
    issuer_name = forms.CharField(label=_("Issuer"), max_length=255)
    symbol = forms.CharField(label=_("Number and symbol"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    subject = forms.CharField(label=_("Subject"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    arrived_on = forms.DateField(label=_("Arrival date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=0)
    confidentiality = forms.TypedChoiceField(label=_("Confidentiality"), choices=Confidentiality.choices, coerce=int,
                                             initial=0)
    page_count = forms.IntegerField(label=_("Pages"), min_value=1, max_value=99999, initial=1)
    confirm_duplicate = forms.BooleanField(label=_("Register even if it is a duplicate"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"document_type": type_field(), **self.fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000)


def uploaded_files(request, field="files"):
    """Store the files posted in ``field`` and return the references the services take."""
    return store_uploads(actor=request.user, uploads=request.FILES.getlist(field))
