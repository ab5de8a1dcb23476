from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "dieuhanh.exchange"
    label = "exchange"
    verbose_name = "Exchange between systems"
