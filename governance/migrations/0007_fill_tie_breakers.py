"""Directie polls already open when 0006 came: fix their tie-breaker (the
algemeen directeur sitting when they opened and in their electorate), as
poll_open does for new polls."""

from django.db import migrations
from django.db.models import Q


def fill(apps, schema_editor):
    Poll = apps.get_model("governance", "Poll")
    Mandate = apps.get_model("governance", "Mandate")
    for poll in Poll.objects.filter(regel="directie", status="open", voorzitter__isnull=True):
        day = poll.geopend_op.date()
        chair = (
            Mandate.objects.filter(body_id=poll.body_id, functie="algemeen-directeur", ingangsdatum__lte=day)
            .filter(
                Q(beeindigd_op__gte=day)
                | Q(beeindigd_op__isnull=True, einddatum__gte=day)
                | Q(beeindigd_op__isnull=True, einddatum__isnull=True)
            )
            .filter(person__in=poll.voters.values("person"))
            .values_list("person_id", flat=True)
            .first()
        )
        if chair is not None:
            Poll.objects.filter(pk=poll.pk).update(voorzitter_id=chair)


class Migration(migrations.Migration):
    dependencies = [("governance", "0006_member_conflicts_chair_closed_meetings")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
