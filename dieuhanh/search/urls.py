from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("", views.search, name="search"),
    path("saved/", views.save, name="save"),
    path("saved/<int:saved_id>/", views.run_saved, name="run_saved"),
    path("saved/<int:saved_id>/delete/", views.delete_saved, name="delete_saved"),
]
