from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "mora.customers"
    label = "customers"
    verbose_name = "Clientes y suministros"
