from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "mora.agreements"
    label = "agreements"
    verbose_name = "Convenios de pago"

    def ready(self):
        # Payments reach agreement installments before any other debt (DESIGN: allocation
        # order); billing runs the registered steps inside its own payment transaction.
        from mora.billing.payment_steps import register_payment_step

        from .services import payment_apply_to_installments

        register_payment_step("agreements", payment_apply_to_installments)
