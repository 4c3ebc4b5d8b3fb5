"""The utility's five electric systems. Imports of accounts refer to them by code or name, so
they must exist before the first import; created only if absent (nothing is overwritten)."""

from django.db import migrations

SYSTEMS = [
    ("CT", "Central Tarija"),
    ("EP", "El Puente"),
    ("VM", "Villa Montes"),
    ("YA", "Yacuiba"),
    ("BE", "Bermejo"),
]


def create_systems(apps, schema_editor):
    System = apps.get_model("customers", "System")
    for code, name in SYSTEMS:
        System.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_systems, migrations.RunPython.noop)]
