"""Reorganization of units (merger, split, dissolution): the decision, the steps of its execution, the trace left on
every reassigned item, and the handover packages imported into a receiving unit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    DISSOLVE = "dissolve", _("Dissolve")


class DecisionStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    EXECUTING = "executing", _("Executing")
    EXECUTED = "executed", _("Executed")


class MemberPolicy(models.TextChoices):
    MOVE = "move", _("End memberships and re-create them in the successor")
    DEACTIVATE = "deactivate", _("End memberships and deactivate the people")


class ItemRule(models.TextChoices):
    ALL = "all", _("Everything (or everything not claimed by another rule)")
    DEPARTMENT = "department", _("What a department (sub-unit) handles")
    DOCUMENTS = "documents", _("A list of documents")


class Decision(models.Model):
    """A reorganization decision recorded by a system administrator: which unit goes to which successor, from when."""

    kind = models.CharField(_("kind"), max_length=10, choices=DecisionKind.choices)
    effective_on = models.DateField(_("effective date"))
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("decision document"))
    # The number and symbol as written on the decision, also when it is not registered in the system.
    document_ref = models.CharField(_("number and symbol"), max_length=100, blank=True)
    # Where the old units' sub-units go; empty: under each old unit's successor (decision 0025).
    sub_units_to = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("sub-units go under"))
    members = models.CharField(_("memberships"), max_length=10, choices=MemberPolicy.choices,
                               default=MemberPolicy.MOVE)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.RECORDED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.effective_on})"


class DecisionItem(models.Model):
    """One old unit -> successor pair with the rule saying which of the old unit's work goes there."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    old_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    successor = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=12, choices=ItemRule.choices, default=ItemRule.ALL)
    department = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document_ids = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["decision", "order", "id"]


class ExecutionStep(models.Model):
    """A step of an execution that committed: re-running the execution skips it."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="steps")
    old_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=20)
    counts = models.JSONField(default=dict)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "old_unit", "name"], name="reorg_step_once")]


class ReassignmentTrace(models.Model):
    """An item moved from the old unit to its successor by a decision: read beside the item itself."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="traces")
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=32)
    old_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    new_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["decision", "id"])]
        constraints = [models.UniqueConstraint(fields=["decision", "object_type", "object_id", "field"],
                                               name="reorg_trace_once")]


class HandoverImport(models.Model):
    """A handover package (BagIt) loaded into a receiving unit."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    source_code = models.CharField(max_length=13)
    source_name = models.CharField(max_length=255)
    payload_oxum = models.CharField(max_length=64)
    manifest_sha256 = models.CharField(max_length=64)
    counts = models.JSONField(default=dict)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)


class ImportedObject(models.Model):
    """The identifier map of an import (source id -> new id), and the source's audit events kept as they were."""

    handover = models.ForeignKey(HandoverImport, on_delete=models.PROTECT, related_name="imported")
    kind = models.CharField(max_length=16)  # document, record_file, event
    source_id = models.BigIntegerField()
    target_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["handover", "kind", "source_id"], name="reorg_import_once")]
        indexes = [models.Index(fields=["kind", "target_id"])]
