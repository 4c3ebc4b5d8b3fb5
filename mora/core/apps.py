from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mora.core"
    label = "core"
    verbose_name = "Núcleo"
