"""The home page's counters. Each counter is computed from the very queryset its list page shows, capped
rather than counted over millions of rows, so "12" on the home page means 12 rows behind the link."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.policy import grants, is_system_admin, units_with_roles
from dieuhanh.documents import selectors as doc_selectors
from dieuhanh.kernel.pagination import capped_count
from dieuhanh.processing import selectors as proc_selectors
from dieuhanh.reports.dashboard import DASHBOARD_ROLES
from dieuhanh.tasks import selectors as task_selectors


def _link(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:  # a list whose page is not installed
        return None


def counters(user: User) -> list[tuple[str, str, int, str | None]]:
    """[(group, label, count, url)] for the signed-in person's roles."""
    rows = []
    for unit in units_with_roles(user, {Role.CLERK}):
        qs = doc_selectors.awaiting_receipt_queryset(unit, user)
        rows.append((_("Documents"), _("Awaiting receipt") + f" — {unit.short_name}",
                     capped_count(qs), _link("documents:inbox", f"?unit={unit.pk}")))
        rows.append((_("Documents"), _("Recalls awaiting an answer") + f" — {unit.short_name}",
                     capped_count(doc_selectors.pending_recalls_queryset(unit, user)),
                     _link("documents:recalls", f"?unit={unit.pk}")))
    for unit in units_with_roles(user, {Role.LEADER, Role.DEPUTY, Role.CLERK}):
        rows.append((_("Documents"), _("Awaiting direction") + f" — {unit.short_name}",
                     capped_count(proc_selectors.awaiting_assignment(unit, user)),
                     _link("processing:awaiting", f"?unit={unit.pk}")))
    labels = {"processing": _("My processing"), "due_soon": _("Due soon"), "overdue": _("Overdue"),
              "returned": _("Returned to me"), "info": _("For information")}
    for kind, count in proc_selectors.counters(user).items():
        rows.append((_("Processing"), labels[kind], count, _link("processing:my_work", f"?kind={kind}")))
    for kind, count in task_selectors.counters(user).items():
        rows.append((_("Tasks"), str(task_selectors.LABELS.get(kind, kind)), count,
                     _link("tasks:list", f"?kind={kind}")))
    return rows


def dashboard_url(user: User) -> str | None:
    """The leaders' dashboard, for leaders, deputies, unit administrators and system administrators (decision
    0048): the home page links it first; None for everyone else. No query (the cached grants)."""
    if is_system_admin(user) or any(role in DASHBOARD_ROLES for _path, role in grants(user)):
        return _link("reports:index")
    return None
