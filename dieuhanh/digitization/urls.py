from django.urls import path

from . import views

app_name = "digitization"
urlpatterns = [
    path("", views.index, name="index"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/progress/", views.batch_progress, name="progress"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/discard/", views.item_discard, name="discard"),
    path("items/<int:item_id>/retry/", views.item_retry, name="retry"),
    path("items/<int:item_id>/<str:kind>/", views.item_file, name="file"),
]
