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
]
