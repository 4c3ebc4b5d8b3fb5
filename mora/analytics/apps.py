from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "mora.analytics"
    label = "analytics"
    verbose_name = "Analítica de convenios"
