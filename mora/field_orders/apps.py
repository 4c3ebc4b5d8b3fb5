from django.apps import AppConfig


class FieldOrdersConfig(AppConfig):
    name = "mora.field_orders"
    label = "field_orders"
    verbose_name = "Órdenes de corte y reconexión"

    def ready(self):
        # The moments that grant reconnection or cancel a pending cut (DESIGN): a payment, an
        # agreement entering into force, a breached agreement regularized. Each hook runs inside
        # the transaction of that event, so the order exists the moment the event does.
        from mora.agreements.services import register_in_force_hook, register_regularization_hook
        from mora.billing.payment_steps import register_after_payment_hook

        from . import services

        register_after_payment_hook("field_orders", services.after_payment)
        register_in_force_hook(services.after_agreement_event)
        register_regularization_hook(services.after_agreement_event)
