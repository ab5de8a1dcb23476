from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("received/", views.received, name="received"),
    path("received/<int:package_id>/", views.received_detail, name="received_detail"),
    path("sent/", views.sent, name="sent"),
    path("sent/<int:sent_id>/retry/", views.sent_retry, name="retry"),
    path("organs/", views.organ_list, name="organs"),
    path("organs/new/", views.organ_edit, name="organ_new"),
    path("organs/<int:organ_id>/", views.organ_edit, name="organ_edit"),
    path("organs/import/", views.organ_import, name="organ_import"),
]
