from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import Membership
from dieuhanh.units.models import Unit

from .models import FlowRole


def handler_choices(paths):
    """Sub-units one level below each reach path, and the people of those units and of the path itself."""
    units = {}
    for path in paths:
        for u in Unit.objects.filter(path__startswith=path, status="active").order_by("depth", "sort_key"):
            if len(u.path) <= len(path) + 4:
                units[u.pk] = u
    base_paths = set(paths)
    unit_choices = [(f"u:{u.pk}", u.name) for u in units.values() if u.path not in base_paths]
    people = (get_user_model().objects.filter(is_active=True, memberships__ended_at__isnull=True,
                                              memberships__unit__in=list(units))
              .distinct().order_by("sort_key"))
    roles = {}
    for m in Membership.objects.active().filter(unit__in=list(units)).select_related("position", "unit"):
        roles.setdefault(m.user_id, f"{m.position or m.get_role_display()}, {m.unit.short_name}")
    person_choices = [(f"p:{p.pk}", f"{p.full_name} ({roles.get(p.pk, '')})") for p in people]
    return [(_("Units"), unit_choices), (_("People"), person_choices)]


def to_handlers(cleaned):
    handlers = []
    for role in FlowRole.values:
        for value in cleaned.get(role) or []:
            kind, _, pk = value.partition(":")
            handlers.append({"unit_id" if kind == "u" else "user_id": int(pk), "role": role})
    return handlers


class HandlersForm(forms.Form):
    lead = forms.MultipleChoiceField(label=_("Lead (chủ trì)"), required=False,
                                     widget=forms.SelectMultiple(attrs={"size": 6}))
    co = forms.MultipleChoiceField(label=_("Co-handling (phối hợp)"), required=False,
                                   widget=forms.SelectMultiple(attrs={"size": 6}))
    info = forms.MultipleChoiceField(label=_("For information (nhận để biết)"), required=False,
                                     widget=forms.SelectMultiple(attrs={"size": 6}))
    direction = forms.CharField(label=_("Direction"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, choices=(), leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FlowRole.values:
            self.fields[name].choices = choices
        if leaders is not None:
            self.fields["on_behalf_of"] = forms.ModelChoiceField(label=_("On behalf of"), queryset=leaders)


class TextForm(forms.Form):
    text = forms.CharField(label=_("Opinion"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("Result"), max_length=20000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
