from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "dieuhanh.gateway"
    label = "gateway"
    verbose_name = "Exchange gateway"
