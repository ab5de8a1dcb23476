from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("accept/", views.accept_many, name="accept_many"),
    path("outbox/", views.outbox, name="outbox"),
    path("recalls/", views.recalls, name="recalls"),
    path("approved/", views.approved, name="approved"),
    path("new/", views.new_document, name="new"),
    path("paper/", views.paper, name="paper"),
    path("registers/", views.registers, name="registers"),
    path("registers/<int:register_id>/", views.register_view, name="register"),
    path("registers/<int:register_id>/check/", views.register_check, name="register_check"),
    path("registers/<int:register_id>/export.xlsx", views.register_export, name="register_export"),
    path("deliveries/<int:delivery_id>/accept/", views.accept, name="accept"),
    path("deliveries/<int:delivery_id>/return/", views.give_back, name="return"),
    path("deliveries/<int:delivery_id>/recall-answer/", views.recall_answer, name="recall_answer"),
    path("<int:document_id>/", views.detail, name="detail"),
    path("<int:document_id>/files/<int:file_id>/", views.download, name="download"),
]
