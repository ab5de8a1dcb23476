from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("", views.index, name="index"),
    path("lists/<int:list_id>/", views.list_detail, name="list"),
    path("files/<int:file_id>/", views.file_detail, name="file"),
    path("workbench/", views.workbench, name="workbench"),
    path("deposits/", views.deposits, name="deposits"),
    path("deposits/<int:deposit_id>/", views.deposit_detail, name="deposit"),
    path("loans/", views.loans, name="loans"),
    path("appraisal/", views.appraisal, name="appraisal"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision"),
    path("destructions/", views.destructions, name="destructions"),
]
