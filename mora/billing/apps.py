from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "mora.billing"
    label = "billing"
    verbose_name = "Facturación y cartera"
