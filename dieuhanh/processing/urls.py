from django.urls import path

from . import views

app_name = "processing"
urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("entries/<int:entry_id>/", views.entry_detail, name="entry"),
    path("entries/<int:entry_id>/slip.pdf", views.slip, name="slip"),
    path("flows/<int:flow_id>/", views.flow_detail, name="flow"),
    path("tracker/", views.tracker, name="tracker"),
    path("tracker/items/", views.tracker_items, name="tracker_items"),
]
