"""The form that records a reorganization decision. It only parses what was typed; every rule (cycles, two
successors, dates, where sub-units go) is the service's, whose errors come back beside the fields that caused them.

Units are chosen with a search-then-pick field (``reorg/_unit_picker.html``): a select holding only the unit
chosen so far and the matches of the words typed beside it, so the page stays small with 50,000 units."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.kernel.actions import ActionForm
from dieuhanh.kernel.forms import IdField
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.text import nfc
from dieuhanh.units.models import Unit, UnitKind, UnitStatus
from dieuhanh.units.selectors import search_units

from .models import DecisionKind, ItemRule, MemberPolicy
from .selectors import collection

MAX_ROWS = 8
PICKER_LIMIT = 30
DEPARTMENT_LIST_LIMIT = 60


def attach_ancestry(units):
    """Set ``unit.ancestry`` to its ancestors' short names (one query), so same-named units can be told apart."""
    paths = {p for u in units for p in u.ancestor_paths()[:-1]}
    names = dict(Unit.objects.filter(path__in=paths).values_list("path", "short_name")) if paths else {}
    for u in units:
        u.ancestry = " › ".join(names.get(p, "?") for p in u.ancestor_paths()[:-1])
    return units


def unit_options(*, selected=None, query="", within=None):
    """The units a picker offers: the one chosen so far, then the active units matching ``query`` (or, for a
    department of ``within`` with no words typed, that unit's sub-units)."""
    options = []
    chosen = Unit.objects.filter(pk=selected).first() if selected else None
    if chosen is not None:
        options.append(chosen)
    query = nfc(query or "")[:200]
    if query or within is not None:
        qs = search_units(query=query, status=UnitStatus.ACTIVE, within=within)
        if within is not None:
            qs = qs.exclude(pk=within.pk)
        limit = PICKER_LIMIT if query else DEPARTMENT_LIST_LIMIT
        order = ("sort_key", "id") if query else ("path",)
        options += [u for u in qs.exclude(pk=selected or 0).order_by(*order)[:limit]]
    return attach_ancestry(options)


class UnitPick(IdField):
    """A unit id chosen in a picker; ``options``, ``query`` and ``within`` are set per request by the form."""

    def __init__(self, *, label, help_text="", required=False, department=False):
        super().__init__(label=label, help_text=help_text, required=required, widget=forms.HiddenInput)
        self.options, self.query, self.within, self.department = [], "", None, department


class ExecuteForm(ActionForm):
    """The execute button of a decision's page: nothing to type; the service checks the dry run again."""


class DecisionForm(forms.Form):
    effective_on = forms.DateField(label=gettext_lazy("Effective date"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    document_ref = forms.CharField(label=gettext_lazy("Number and symbol of the decision"), max_length=100,
                                   widget=forms.TextInput(attrs={"placeholder": "125-QĐ/TW"}))
    document = forms.CharField(
        label=gettext_lazy("Registered decision document (optional)"), required=False, max_length=300,
        help_text=gettext_lazy("Its number in the system, or the address of its page, e.g. …/documents/123/"))
    members = forms.ChoiceField(label=gettext_lazy("People of the old unit"), choices=MemberPolicy.choices,
                                initial=MemberPolicy.MOVE, widget=forms.RadioSelect)
    sub_units_to = UnitPick(label=gettext_lazy("Sub-units go under"),
                            help_text=gettext_lazy("Leave empty: under the successor."))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, kind, rows=None):
        super().__init__(data)
        self.kind = kind if kind in DecisionKind.values else DecisionKind.MERGE
        wanted = parse_id(data.get("rows")) if data is not None else None
        self.rows = max(2, min(MAX_ROWS, rows or wanted or 2))
        if self.kind == DecisionKind.MERGE:
            for i in range(self.rows):
                self.fields[f"old_{i}"] = UnitPick(label=_("Unit merged (%(n)s)") % {"n": i + 1})
            self.fields["successor_mode"] = forms.ChoiceField(
                label=_("Successor"), initial="existing", widget=forms.RadioSelect,
                choices=[("existing", _("An existing unit")), ("new", _("A new unit, created by this decision"))])
            self.fields["successor"] = UnitPick(label=_("Existing successor"))
            self.fields["new_name"] = forms.CharField(label=_("Name of the new unit"), required=False,
                                                      max_length=255)
            self.fields["new_short_name"] = forms.CharField(label=_("Short name (in document symbols)"),
                                                            required=False, max_length=32)
            self.fields["new_code"] = forms.CharField(label=_("Agency code"), required=False, max_length=13)
            self.fields["new_kind"] = forms.ChoiceField(label=_("Kind"), required=False, choices=UnitKind.choices)
            self.fields["new_parent"] = UnitPick(label=_("The new unit is placed under"))
        elif self.kind == DecisionKind.SPLIT:
            self.fields["old"] = UnitPick(label=_("Unit split"), required=True)
            for i in range(self.rows):
                self.fields[f"succ_{i}"] = UnitPick(label=_("Successor (%(n)s)") % {"n": i + 1})
                self.fields[f"rule_{i}"] = forms.ChoiceField(
                    label=_("What it takes over"), initial=ItemRule.ALL if i == 0 else ItemRule.DEPARTMENT,
                    choices=[(ItemRule.ALL, _("Everything no other line takes")),
                             (ItemRule.DEPARTMENT, _("What a department handles")),
                             (ItemRule.DOCUMENTS, _("A list of documents"))])
                self.fields[f"dept_{i}"] = UnitPick(label=_("Department"), department=True)
                self.fields[f"docs_{i}"] = forms.CharField(
                    label=_("Documents"), required=False, max_length=20000,
                    help_text=_("One per line: its number and symbol, or its number in the system."),
                    widget=forms.Textarea(attrs={"rows": 2}))
        else:
            self.fields["old"] = UnitPick(label=_("Unit dissolved"), required=True)
            self.fields["successor"] = UnitPick(label=_("Successor"), required=True)
        self._fill_pickers(data)
        self.item_fields = []
        self._mode = (data or {}).get("successor_mode")

    @property
    def new_unit_open(self):
        return self._mode == "new" or any(k.startswith("new_") for k in self.errors)

    # --- pickers -------------------------------------------------------------------------------------------------

    def pickers(self):
        return [(name, f) for name, f in self.fields.items() if isinstance(f, UnitPick)]

    def _fill_pickers(self, data):
        data = data or {}
        old = Unit.objects.filter(pk=parse_id(data.get("old"))).first() if "old" in self.fields else None
        for name, field in self.pickers():
            field.query = nfc(data.get(f"{name}_q", ""))[:200]
            field.within = old if field.department else None
            if field.department and old is None:
                field.options = unit_options(selected=parse_id(data.get(name)), query=field.query)
            else:
                field.options = unit_options(selected=parse_id(data.get(name)), query=field.query,
                                             within=field.within)

    def picker_rows(self):
        """The fields grouped for the template, in the order of the kind's form."""
        if self.kind == DecisionKind.SPLIT:
            return [{"succ": self[f"succ_{i}"], "rule": self[f"rule_{i}"], "dept": self[f"dept_{i}"],
                     "docs": self[f"docs_{i}"], "n": i + 1} for i in range(self.rows)]
        if self.kind == DecisionKind.MERGE:
            return [self[f"old_{i}"] for i in range(self.rows)]
        return []

    # --- parsing -------------------------------------------------------------------------------------------------

    def clean_document(self):
        value = (self.cleaned_data.get("document") or "").strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{1,12})", value) or re.search(r"/documents/(\d{1,12})/?", value)
        if not match:
            raise forms.ValidationError(_("Give the document's number in the system, or the address of its page."))
        return int(match.group(1))

    def _documents(self, field, old):
        """Document ids from one line each: a number in the system, or a number and symbol of the old unit."""
        ids = []
        for line in re.split(r"[\n;]+", self.cleaned_data.get(field) or ""):
            line = nfc(line)
            if not line:
                continue
            if (number := parse_id(line)) is not None:
                ids.append(number)
                continue
            found = list(collection(old).filter(symbol=line).values_list("pk", flat=True)[:2]) if old else []
            if len(found) != 1:
                message = (_("No document of %(unit)s has the number and symbol %(symbol)s.") if not found else
                           _("Several documents of %(unit)s have the number and symbol %(symbol)s: give its "
                             "number in the system instead."))
                self.add_error(field, message % {"unit": old.name if old else "?", "symbol": line})
                return []
            ids.append(found[0])
        return ids

    def service_kwargs(self):
        """The arguments of ``services.record_decision``; ``self.item_fields`` maps each item back to its fields."""
        d = self.cleaned_data
        kwargs = {"kind": self.kind, "effective_on": d["effective_on"], "document_ref": d["document_ref"],
                  "document_id": d.get("document"), "members": d["members"], "note": d.get("note") or "",
                  "sub_units_to_id": d.get("sub_units_to")}
        items, self.item_fields = [], []
        if self.kind == DecisionKind.MERGE:
            new = d.get("successor_mode") == "new"
            if new and not d.get("new_parent"):
                self.add_error("new_parent", _("Choose where the new unit is placed."))
            elif not new and not d.get("successor"):
                self.add_error("successor", _("Choose the successor."))
            if new:
                kwargs["new_successor"] = {"code": d.get("new_code") or "", "name": d.get("new_name") or "",
                                           "short_name": d.get("new_short_name") or "", "kind": d.get("new_kind"),
                                           "parent_id": d.get("new_parent")}
            for i in range(self.rows):
                if d.get(f"old_{i}"):
                    item = {"old_unit_id": d[f"old_{i}"]}
                    if not new:
                        item["successor_id"] = d.get("successor") or 0
                    items.append(item)
                    self.item_fields.append({"old_unit_id": f"old_{i}", "successor_id": "successor"})
            if not items:
                self.add_error("old_0", _("Choose the units that merge."))
        elif self.kind == DecisionKind.SPLIT:
            old = Unit.objects.filter(pk=d.get("old")).first()
            for i in range(self.rows):
                if not d.get(f"succ_{i}"):
                    continue
                rule = d.get(f"rule_{i}") or ItemRule.ALL
                item = {"old_unit_id": d.get("old"), "successor_id": d[f"succ_{i}"], "rule": rule}
                if rule == ItemRule.DEPARTMENT:
                    if not d.get(f"dept_{i}"):
                        self.add_error(f"dept_{i}", _("Choose the department."))
                    item["department_id"] = d.get(f"dept_{i}") or 0
                elif rule == ItemRule.DOCUMENTS:
                    item["document_ids"] = self._documents(f"docs_{i}", old)
                items.append(item)
                self.item_fields.append({"old_unit_id": "old", "successor_id": f"succ_{i}", "rule": f"rule_{i}",
                                         "department_id": f"dept_{i}", "document_ids": f"docs_{i}"})
            if len(items) < 2:
                self.add_error("succ_0" if not items else "succ_1", _("A split names at least two successors."))
        else:
            items.append({"old_unit_id": d.get("old"), "successor_id": d.get("successor")})
            self.item_fields.append({"old_unit_id": "old", "successor_id": "successor"})
        kwargs["items"] = items
        return kwargs

    def apply_service_errors(self, exc):
        """Put each of the service's errors beside the field it names (``items.1.successor_id`` → ``succ_1``)."""
        names = {"effective_on": "effective_on", "document_id": "document", "document_ref": "document_ref",
                 "members": "members", "note": "note", "sub_units_to_id": "sub_units_to",
                 "new_successor": "successor_mode", "new_successor.parent_id": "new_parent"}
        for key in ("code", "name", "short_name", "kind"):
            names[f"new_successor.{key}"] = f"new_{key}"
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for key, messages in errors.items():
            field = names.get(key)
            match = re.fullmatch(r"items\.(\d+)\.(\w+)", key or "")
            if match and int(match.group(1)) < len(self.item_fields):
                field = self.item_fields[int(match.group(1))].get(match.group(2))
            if field not in self.fields:
                field = None
            for message in messages:
                if field is None or message not in self.errors.get(field, []):
                    self.add_error(field, message)

