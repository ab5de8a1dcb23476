"""The registry of digital-transformation projects (dự án / nhiệm vụ chuyển đổi số) and their duplicate review
(decision 0051). Functions and shared platforms are data (seeded by migration 0002), not code."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Function(models.Model):
    """The controlled vocabulary of what a system does: document management, email, identity, ..."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class SharedPlatform(models.Model):
    """A platform every unit should reuse rather than rebuild (document exchange, identity, signing)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    function = models.ForeignKey(Function, on_delete=models.PROTECT, related_name="platforms")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class Level(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Provincial")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class Kind(models.TextChoices):
    SOFTWARE = "software", _("Software")
    DATABASE = "database", _("Database")
    PLATFORM = "platform", _("Platform")
    SERVICE = "service", _("Service")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    IN_PROGRESS = "in_progress", _("In progress")
    ACCEPTED = "accepted", _("Accepted")
    IN_OPERATION = "in_operation", _("In operation")
    RETIRED = "retired", _("Retired")


# The status machine: the only moves a service makes.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PROPOSED: (Status.UNDER_REVIEW,),
    Status.UNDER_REVIEW: (Status.APPROVED, Status.REFUSED),
    Status.APPROVED: (Status.IN_PROGRESS,),
    Status.REFUSED: (),
    Status.IN_PROGRESS: (Status.ACCEPTED,),
    Status.ACCEPTED: (Status.IN_OPERATION,),
    Status.IN_OPERATION: (Status.RETIRED,),
    Status.RETIRED: (),
}
# Statuses in which a project is live and so can be duplicated by a new proposal.
LIVE = (Status.PROPOSED, Status.UNDER_REVIEW, Status.APPROVED, Status.IN_PROGRESS, Status.ACCEPTED,
        Status.IN_OPERATION)
CURRENCIES = ("VND", "USD", "EUR")


class Project(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    # The subtree the project serves, stored as the unit's path too so overlap is a prefix test.
    scope = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("scope"))
    scope_path = models.CharField(max_length=255, db_index=True, editable=False)
    # The unit whose IT body gives the opinion and whose leader approves (the proposing unit's parent by default).
    reviewing_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    objective = models.TextField(_("objective"), blank=True)
    functions = models.ManyToManyField(Function, related_name="projects", verbose_name=_("functions"))
    reuses = models.ManyToManyField(SharedPlatform, blank=True, related_name="projects",
                                    verbose_name=_("shared platforms reused"))
    depends_on = models.ManyToManyField("self", blank=True, symmetrical=False, related_name="dependents")
    users_count = models.PositiveIntegerField(_("users"), default=0)
    scale = models.CharField(_("scale"), max_length=200, blank=True)
    budget_source = models.CharField(_("budget source"), max_length=100, blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=18, decimal_places=0, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    budget_year = models.PositiveSmallIntegerField(_("budget year"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.PROPOSED)
    deciding_document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("deciding document"))
    # The proposal registered as an incoming document of the reviewing unit: its processing flow carries the
    # IT body's opinion and the leader's direction (decision 0051).
    review_entry = models.ForeignKey("documents.IncomingEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    it_opinion = models.TextField(blank=True)
    decision_note = models.TextField(blank=True)
    # Folded text and the TF-IDF norm used by the similarity index (similarity.py).
    search_text = models.TextField(editable=False, blank=True)
    sim_norm = models.FloatField(default=0.0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "id"]), models.Index(fields=["status", "id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget_amount__gte=0), name="project_budget_nonneg"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="project_period_order"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class DataObject(models.Model):
    """A data object (a register, a database of members, ...) a project owns or only uses."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="data_objects")
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, db_index=True, editable=False)  # folded name: the same object twice
    owned = models.BooleanField(default=True)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        ARCHITECTURE = "architecture", _("Architecture")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    blob = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)


class Term(models.Model):
    """The similarity index: one row per (project, feature) with its sublinear term frequency."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=60)
    tf = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["term", "project"], name="projterm_term"),
                   models.Index(fields=["project", "term"], name="projterm_project")]


class Verdict(models.TextChoices):
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
    DUPLICATE = "duplicate", _("Duplicate: reuse another project")


class Assessment(models.Model):
    """The reviewer's duplication assessment of a proposal; shown on both projects when it names another."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    verdict = models.CharField(max_length=14, choices=Verdict.choices)
    reuse = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="reused_by")
    reason = models.TextField()
    candidates = models.JSONField(default=list)  # the candidates the reviewer saw (ids and scores)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class TermStat(models.Model):
    """Document frequency of a similarity feature over the registry; the row ``#n`` counts indexed projects."""

    term = models.CharField(max_length=60, primary_key=True)
    df = models.IntegerField(default=0)
