from django.urls import path

from . import views

app_name = "drafting"
urlpatterns = [
    path("", views.draft_list, name="list"),
    path("new/", views.new_draft, name="new"),
    path("certificate/", views.my_certificate, name="certificate"),
    path("<int:draft_id>/", views.draft_detail, name="detail"),
    path("<int:draft_id>/pdf/", views.draft_pdf, name="pdf"),
    path("<int:draft_id>/diff/", views.version_diff, name="diff"),
    path("<int:draft_id>/versions/<int:number>/", views.version_file, name="version"),
]
