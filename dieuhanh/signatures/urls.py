from django.urls import path

from . import views

app_name = "signatures"
urlpatterns = [
    path("documents/<int:document_id>/files/<int:file_id>/check/", views.check, name="check"),
]
