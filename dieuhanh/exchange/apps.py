from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "dieuhanh.exchange"
    label = "exchange"
    verbose_name = "Exchange between systems"

    def ready(self) -> None:
        # in ready(): models must be loaded first; documents tells exchange about issues and delivery statuses
        # through its registries (decision 0042)
        from dieuhanh.documents import hooks

        # in ready(): these modules import models, which are not loaded when the app module is
        from . import organs, outbound, receiver, services

        hooks.register_issued(outbound.on_issued)
        hooks.register_delivery_status(outbound.on_delivery_status)
        hooks.register_outside_recipients(organs.picker_choices)
        services.add_listeners(refused=outbound.on_refused, status=outbound.on_status_received,
                               sender=outbound.send_business)
        receiver.register()
