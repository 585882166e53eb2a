from django.db import migrations


def load(apps, schema_editor):
    from safety.ctcae import ctcae_load

    ctcae_load(apps.get_model("safety", "CtcaeTerm"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("safety", "0002_adverse_events")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
