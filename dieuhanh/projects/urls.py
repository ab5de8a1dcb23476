from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("import/", views.bulk_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("report/", views.report, name="report"),
    path("<int:project_id>/", views.detail, name="detail"),
]
