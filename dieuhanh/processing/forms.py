from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import Membership
from dieuhanh.units.models import Unit

from .calendar import MAX_WORKING_DAYS, resolve_deadline
from .models import FlowRole


class DeadlineFields(forms.Form):
    """A deadline as a date or as "N working days" from today; a date on a weekend or public holiday is refused
    beside the field, with the next working day named, until the person ticks the confirmation (decision 0034).
    ``date_field`` names the date field of the form that mixes this in."""

    date_field = "deadline"
    date_required = False
    working_days = forms.IntegerField(label=_("or within N working days"), required=False, min_value=1,
                                      max_value=MAX_WORKING_DAYS)
    confirm_non_working_day = forms.BooleanField(label=_("Keep this date although it is not a working day"),
                                                 required=False)

    def clean(self):
        data = super().clean()
        if self.date_field in self.errors or "working_days" in self.errors:
            return data
        try:
            data[self.date_field] = resolve_deadline(
                deadline=data.get(self.date_field), working_days=data.get("working_days"),
                confirm_non_working_day=data.get("confirm_non_working_day", False), field=self.date_field,
                today=self.count_from(data))
            if self.date_required and data[self.date_field] is None:
                raise ValidationError({self.date_field: _("Give a date or a number of working days.")})
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return data

    def count_from(self, data):
        """The day "N working days" count from: today, unless a form knows better (a task's start date)."""
        return None


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


class HandlersForm(DeadlineFields):
    field_order = ["lead", "co", "info", "direction", "deadline", "working_days", "confirm_non_working_day"]
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


class ExtensionForm(DeadlineFields):
    date_field = "new_deadline"
    field_order = ["new_deadline", "working_days", "confirm_non_working_day", "reason"]

    new_deadline = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
