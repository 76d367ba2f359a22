"""The coöperatie-wide roles, kept as groups with model permissions. Roles
within one member organisation are MemberRoles with guardian object
permissions (membership.services)."""

from django.db.models import TextChoices


class StaffRole(TextChoices):
    DIRECTIE = "directie", "Directie"
    OPERATIONEEL_MANAGER = "operationeel-manager", "Operationeel manager"
    RVC = "rvc", "Raad van commissarissen"
    SECRETARIS = "secretaris", "Secretaris"


ROLE_PERMISSIONS = {
    StaffRole.DIRECTIE: [
        "membership.view_member",
        "membership.add_member",
        "membership.change_member",
        "membership.view_private_member",
        "membership.change_representation",
        "membership.decide_admission",
        "membership.register_agreement",
        "membership.manage_factuurkenmerk",
        "membership.invite_user",
        "membership.import_inwoners",
        "common.view_auditevent",
        "communities.add_community",
        "communities.change_community",
        "communities.manage_participation",
        "businesscases.decide_businesscase",
        "invoicing.manage_invoices",
        "governance.manage_governance",
        "governance.view_governance",
        "governance.manage_documents",
        "governance.view_rvc_documents",
        "governance.view_directie_documents",
        "governance.manage_contracts",
        "governance.chair_polls",
    ],
    StaffRole.OPERATIONEEL_MANAGER: [
        "membership.view_member",
        "membership.add_member",
        "membership.change_member",
        "membership.view_private_member",
        "membership.change_representation",
        "membership.register_agreement",
        "membership.manage_factuurkenmerk",
        "membership.invite_user",
        "membership.import_inwoners",
        "communities.add_community",
        "communities.change_community",
        "communities.manage_participation",
    ],
    StaffRole.RVC: [
        "membership.view_member",
        "membership.approve_admission",
        "governance.view_governance",
        "governance.view_rvc_documents",
        "governance.manage_closed_rvc_documents",
        "governance.approve_contract",
    ],
    StaffRole.SECRETARIS: [
        "membership.view_member",
        "membership.view_private_member",
        "governance.manage_governance",
        "governance.view_governance",
        "governance.manage_documents",
        "governance.view_rvc_documents",
        "governance.view_directie_documents",
        "governance.chair_polls",
    ],
}


def ensure_role_groups(**kwargs):
    """Create the role groups and give them exactly their permissions."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None:  # not migrated yet (post_migrate of another app)
                return
            wanted.append(found)
        group.permissions.set(wanted)


def user_staff_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(user.groups.values_list("name", flat=True))
