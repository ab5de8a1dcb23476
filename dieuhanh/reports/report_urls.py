"""/reports/standard/: the standard reports' pages (issue 16)."""

from django.urls import path

from . import report_views

app_name = "standard_reports"
urlpatterns = [
    path("", report_views.report, name="report"),
    path("export/", report_views.export, name="export"),
    path("schedule/", report_views.schedule, name="schedule"),
    path("schedule/<str:schedule_id>/cancel/", report_views.cancel_schedule, name="cancel_schedule"),
    path("runs/<str:run_id>/", report_views.run, name="run"),
    path("runs/<str:run_id>/progress/", report_views.run_progress, name="run_progress"),
    path("runs/<str:run_id>/file/", report_views.run_file, name="run_file"),
    path("me/", report_views.own, name="own"),
]
