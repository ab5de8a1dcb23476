"""The directory of units: a tree of any depth stored as a materialized path."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.kernel.text import fold, vi_sort_key

# Each level of the path is a fixed-width base-36 step: 4 characters allow 1,679,615 children per parent,
# and the 255-character column allows 63 levels.
STEP_WIDTH = 4
PATH_MAX = 255


class UnitKind(models.TextChoices):
    CENTRAL = "central", _("Central body")
    PROVINCE = "province", _("Provincial/city committee")
    COMMUNE = "commune", _("Commune/ward committee")
    CELL = "cell", _("Grassroots cell")
    DEPARTMENT = "department", _("Department/board")
    FRONT = "front", _("Fatherland Front")
    MASS_ORG = "mass_org", _("Mass organization")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged")
    DISSOLVED = "dissolved", _("Dissolved")


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=13, unique=True, help_text=_("Agency identifier"))
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=32, help_text=_("Used in document symbols"))
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=PATH_MAX, unique=True)
    depth = models.PositiveSmallIntegerField()
    # Next step to hand to a new child; bumped under a row lock so concurrent inserts never collide.
    child_counter = models.PositiveIntegerField(default=0)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    # The unit that holds this one's closed collection after a merger, split or dissolution (set by its
    # execution): its people read that collection as their own (decision 0025). Never a write grant.
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors",
                                  verbose_name=_("successor"))
    search_text = models.CharField(max_length=400, editable=False)
    sort_key = models.CharField(max_length=250, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            models.Index(fields=["parent", "sort_key", "id"]),
            models.Index(fields=["sort_key", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="unit_effective_range",
            )
        ]

    def __str__(self):
        return self.name

    def refresh_derived(self):
        """Recompute the folded search text and the collation key from the user-visible fields."""
        self.search_text = fold(f"{self.name} {self.short_name} {self.code}")[:400]
        self.sort_key = vi_sort_key(self.name)

    def ancestor_paths(self):
        """Paths of this unit and all its ancestors, root first."""
        return [self.path[:i] for i in range(STEP_WIDTH, len(self.path) + 1, STEP_WIDTH)]

    def is_descendant_of(self, other):
        return self.path.startswith(other.path) and self.path != other.path
