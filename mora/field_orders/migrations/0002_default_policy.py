from django.db import migrations


def create_default_policy(apps, schema_editor):
    from mora.field_orders.domain.policy import DEFAULT_FIELD_POLICY

    FieldPolicyVersion = apps.get_model("field_orders", "FieldPolicyVersion")
    if not FieldPolicyVersion.objects.exists():
        FieldPolicyVersion.objects.create(
            version=1, terms=DEFAULT_FIELD_POLICY.to_dict(), reason="Valores por defecto del sistema"
        )


class Migration(migrations.Migration):
    dependencies = [("field_orders", "0001_initial")]
    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
