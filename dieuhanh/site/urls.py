from django.urls import include, path

from dieuhanh.site import health
from dieuhanh.site.api import api

urlpatterns = [
    # before the API: the load balancer's check needs no token and answers even when the API cannot
    path("api/v1/health", health.health, name="api_health"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("dieuhanh.accounts.urls")),
    path("units/", include("dieuhanh.units.urls")),
    path("processing/", include("dieuhanh.processing.urls")),
    path("documents/", include("dieuhanh.documents.urls")),
    path("freezes/", include("dieuhanh.documents.freeze_urls")),
    path("tasks/", include("dieuhanh.tasks.urls")),
    path("drafts/", include("dieuhanh.drafting.urls")),
    path("signatures/", include("dieuhanh.signatures.urls")),
    path("digitization/", include("dieuhanh.digitization.urls")),
    path("search/", include("dieuhanh.search.urls")),
    path("records/", include("dieuhanh.records.urls")),
    path("projects/", include("dieuhanh.projects.urls")),
    path("reorg/", include("dieuhanh.reorg.urls")),
    path("exchange/", include("dieuhanh.exchange.urls")),
    path("intake/", include("dieuhanh.intake.urls")),
    path("reports/standard/", include("dieuhanh.reports.report_urls")),
    path("reports/", include("dieuhanh.reports.urls")),
    path("", include("dieuhanh.site.home_urls")),
]

handler400 = "dieuhanh.site.views.bad_request"
handler403 = "dieuhanh.site.views.permission_denied"
handler404 = "dieuhanh.site.views.page_not_found"
handler500 = "dieuhanh.site.views.server_error"
