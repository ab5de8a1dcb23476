from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.kernel.actions import ActionForm
from dieuhanh.kernel.forms import FlagField, LookupIdField, TextField
from dieuhanh.processing.forms import DeadlineFields
from dieuhanh.units.models import Unit

from .models import ReportKind

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class TaskForm(DeadlineFields):
    date_required = True
    service_fields = {"unit_ids": "units"}
    field_order = ["title", "description", "start_date", "deadline", "working_days", "confirm_non_working_day"]
    title = forms.CharField(label=_("Title"), max_length=500)
    description = forms.CharField(label=_("Description"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    start_date = forms.DateField(label=_("Start date"), **DATE)
    deadline = forms.DateField(label=_("Deadline"), required=False, **DATE)
    units = forms.MultipleChoiceField(label=_("Executing units (one task each)"), required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 6}))
    lead_user = forms.ChoiceField(label=_("Or a lead person"), required=False)
    origin_text = forms.CharField(label=_("Origin (meeting conclusion, document…)"), required=False, max_length=500)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        below = Unit.objects.filter(path__startswith=unit.path, status="active").exclude(pk=unit.pk)
        below = [u for u in below.order_by("path") if len(u.path) <= len(unit.path) + 8]
        self.fields["units"].choices = [(str(u.pk), "— " * (u.depth - unit.depth - 1) + u.name) for u in below]
        from django.contrib.auth import get_user_model

        people = (get_user_model().objects.filter(memberships__ended_at__isnull=True,
                                                  memberships__unit__in=[unit, *below], is_active=True)
                  .distinct().order_by("sort_key"))
        self.fields["lead_user"].choices = [("", "—")] + [(str(p.pk), p.full_name) for p in people]

    def count_from(self, data):
        return data.get("start_date")  # a task's working days run from its start


class ReportForm(ActionForm):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    percent = forms.IntegerField(label=_("% done"), required=False, min_value=0, max_value=100)
    text = forms.CharField(label=_("Content"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    difficulties = forms.CharField(label=_("Difficulties"), required=False, max_length=5000)
    proposals = forms.CharField(label=_("Proposals"), required=False, max_length=5000)
    proposed_deadline = forms.DateField(label=_("Proposed deadline"), required=False, **DATE)


class DecideForm(ActionForm):
    """The director's decision on the pending report."""

    report_id = LookupIdField()
    approve = FlagField()
    note = TextField()
