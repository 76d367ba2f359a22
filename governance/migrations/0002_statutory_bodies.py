"""The statutory bodies exist from the start (DOMAIN.md §1): the ALV (every
active member), the RvC (3 to 6 commissarissen) and the directie (at least 2)."""

from django.db import migrations

BODIES = [
    ("alv", "Algemene ledenvergadering", "alv", 0, None),
    ("rvc", "Raad van commissarissen", "rvc", 3, 6),
    ("directie", "Directie", "directie", 2, None),
]


def create_bodies(apps, schema_editor):
    Body = apps.get_model("governance", "Body")
    for soort, naam, slug, minimum, maximum in BODIES:
        Body.objects.get_or_create(soort=soort, defaults={"naam": naam, "slug": slug, "minimum": minimum, "maximum": maximum})


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(create_bodies, migrations.RunPython.noop)]
