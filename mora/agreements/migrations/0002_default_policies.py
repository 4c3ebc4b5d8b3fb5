from django.db import migrations


def create_default_policies(apps, schema_editor):
    from mora.agreements.domain.policy import DEFAULT_POLICIES

    AgreementPolicy = apps.get_model("agreements", "AgreementPolicy")
    for kind, terms in DEFAULT_POLICIES.items():
        if not AgreementPolicy.objects.filter(kind=kind.value).exists():
            AgreementPolicy.objects.create(
                kind=kind.value, version=1, terms=terms.to_dict(), reason="Valores por defecto del sistema"
            )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(create_default_policies, migrations.RunPython.noop)]
