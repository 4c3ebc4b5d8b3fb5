from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "mora.integrations"
    label = "integrations"
    verbose_name = "Integraciones (API)"
