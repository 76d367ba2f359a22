from django.db import migrations

# Roles within a member that may ask to join a community on its behalf.
JOINING_ROLES = ("alv_vertegenwoordiger", "community_contact", "lid_beheerder")


def grant_join_community(apps, schema_editor):
    """Existing role holders get the new object permission, as the service
    would grant it to new ones (membership.services.MEMBER_ROLE_PERMISSIONS)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    MemberRole = apps.get_model("membership", "MemberRole")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    content_type, _ = ContentType.objects.get_or_create(app_label="membership", model="member")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="join_community",
        defaults={"name": "Namens een lid deelname aan een community aanvragen"},
    )
    for role in MemberRole.objects.filter(role__in=JOINING_ROLES):
        UserObjectPermission.objects.get_or_create(
            user_id=role.user_id, permission=permission, content_type=content_type, object_pk=str(role.member_id)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0001_initial"),
        ("guardian", "0002_generic_permissions_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="member",
            options={
                "ordering": ["naam"],
                "permissions": [
                    ("view_private_member", "Vertrouwelijke gegevens van een lid inzien"),
                    ("approve_admission", "Aanvraag goedkeuren of afwijzen (RvC)"),
                    ("decide_admission", "Besluiten over toelating (directie)"),
                    ("register_agreement", "Overeenkomst, opzegging en uittreding verwerken"),
                    ("manage_factuurkenmerk", "Factuurkenmerk vastleggen"),
                    ("invite_user", "Gebruikers uitnodigen voor een lid"),
                    ("join_community", "Namens een lid deelname aan een community aanvragen"),
                ],
                "verbose_name": "lid",
                "verbose_name_plural": "leden",
            },
        ),
        migrations.RunPython(grant_join_community, migrations.RunPython.noop),
    ]
