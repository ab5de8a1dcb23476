from django.urls import path

from . import health, views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.health, name="healthz"),
    path("metrics", health.metrics_view, name="metrics"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell", views.notification_bell, name="notification_bell"),
]
