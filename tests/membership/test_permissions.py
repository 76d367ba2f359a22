"""Object permissions: a member user sees its own organisation in full and only
the public data of others."""

import pytest

from membership import admission
from membership.models import Contact, MemberRole
from membership.services import contact_add, factuurkenmerk_set
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def woerden_private(woerden, directie):
    from beware.common.audit import Actor

    contact_add(woerden, by=Actor(user=directie), naam="Wendy Woerden", email="wendy@woerden.example", rol="financieel")
    factuurkenmerk_set(woerden, jaar=2027, kenmerk="WRD-INK-4711", by=Actor(user=directie))
    return woerden


def test_a_member_user_cannot_open_another_members_organisation_page(eindhoven_user, woerden_private):
    response = login(eindhoven_user).get(f"/leden/{woerden_private.pk}/organisatie/")
    assert response.status_code == 403
    assert "WRD-INK-4711" not in response.content.decode()
    assert "Wendy Woerden" not in response.content.decode()


def test_the_public_page_of_another_member_shows_no_contacts_or_factuurkenmerk(eindhoven_user, woerden_private):
    response = login(eindhoven_user).get(f"/leden/{woerden_private.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Gemeente Woerden" in page
    assert "WRD-INK-4711" not in page
    assert "wendy@woerden.example" not in page
    assert f"/leden/{woerden_private.pk}/organisatie/" not in page


def test_a_member_user_sees_its_own_organisation_in_full(eindhoven_user, eindhoven, directie):
    from beware.common.audit import Actor

    factuurkenmerk_set(eindhoven, jaar=2027, kenmerk="INK-2027-0772", by=Actor(user=directie))
    client = login(eindhoven_user)
    response = client.get("/mijn-organisatie/", follow=True)
    assert response.redirect_chain[-1][0] == f"/leden/{eindhoven.pk}/organisatie/"
    assert "INK-2027-0772" in response.content.decode()


def test_a_member_user_cannot_add_contacts_or_kenmerk_to_another_member(eindhoven_user, woerden):
    client = login(eindhoven_user)
    response = client.post(
        f"/leden/{woerden.pk}/organisatie/contacten/", {"naam": "X", "email": "x@x.example", "rol": "overig"}
    )
    assert response.status_code == 403
    response = client.post(f"/leden/{woerden.pk}/organisatie/factuurkenmerk/", {"jaar": 2027, "kenmerk": "HACK"})
    assert response.status_code == 403
    assert woerden.contacts.count() == 0
    assert woerden.factuurkenmerken.count() == 0


def test_an_alv_representative_may_read_but_not_edit_its_organisation(eindhoven):
    reader = member_user(eindhoven, MemberRole.Role.ALV_VERTEGENWOORDIGER)
    client = login(reader)
    assert client.get(f"/leden/{eindhoven.pk}/organisatie/").status_code == 200
    response = client.post(
        f"/leden/{eindhoven.pk}/organisatie/contacten/", {"naam": "X", "email": "x@x.example", "rol": "overig"}
    )
    assert response.status_code == 403


def test_the_lid_beheerder_adds_a_contact_and_it_is_audited(eindhoven_user, eindhoven):
    from beware.common.models import AuditEvent

    client = login(eindhoven_user)
    response = client.post(
        f"/leden/{eindhoven.pk}/organisatie/contacten/",
        {"naam": "Frank Financiën", "email": "frank@eindhoven.example", "rol": "financieel"},
    )
    assert response.status_code == 302
    assert Contact.objects.get(member=eindhoven).naam == "Frank Financiën"
    event = AuditEvent.objects.get(action="lid.contact_toegevoegd")
    assert (event.actor, event.member) == (eindhoven_user, eindhoven)


def test_a_bad_contact_gets_a_dutch_error_naming_the_field(eindhoven_user, eindhoven):
    response = login(eindhoven_user).post(
        f"/leden/{eindhoven.pk}/organisatie/contacten/",
        {"naam": "Frank", "email": "geen-adres", "rol": "financieel"},
        follow=True,
    )
    assert "E-mailadres: Voer een geldig e-mailadres in." in response.content.decode()
    assert eindhoven.contacts.count() == 0


def test_member_users_do_not_see_applications_in_the_register(eindhoven_user):
    MemberFactory(naam="Gemeente Aanvrager", status=admission.AANVRAAG)
    page = login(eindhoven_user).get("/leden/").content.decode()
    assert "Gemeente Eindhoven" in page
    assert "Gemeente Aanvrager" not in page


def test_staff_see_applications_in_the_register(manager):
    applicant = MemberFactory(naam="Gemeente Aanvrager", status=admission.AANVRAAG)
    assert "Gemeente Aanvrager" in login(manager).get("/leden/").content.decode()
    assert login(manager).get(f"/leden/{applicant.pk}/").status_code == 200


def test_a_member_user_cannot_open_an_application(eindhoven_user):
    applicant = MemberFactory(naam="Gemeente Aanvrager", status=admission.AANVRAAG)
    assert login(eindhoven_user).get(f"/leden/{applicant.pk}/").status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(eindhoven):
    from django.test import Client

    for url in ["/leden/", f"/leden/{eindhoven.pk}/", f"/leden/{eindhoven.pk}/organisatie/", "/toelating/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_register_page_keeps_a_constant_query_budget(eindhoven_user, django_assert_max_num_queries):
    from tests.factories import InwonertalFactory, RepresentationFactory

    for _ in range(30):
        InwonertalFactory(gemeente=RepresentationFactory().gemeente, jaar=2026)
    client = login(eindhoven_user)
    with django_assert_max_num_queries(12):
        response = client.get("/leden/")
    assert response.content.decode().count('scope="row"') == 31


def test_a_user_without_any_role_sees_no_organisation(db):
    response = login(UserFactory()).get("/mijn-organisatie/")
    assert "niet gekoppeld aan een lid" in response.content.decode()


def test_another_members_admission_remarks_stay_internal(eindhoven_user, woerden, rvc):
    from membership.models import StatusChange

    StatusChange.objects.create(
        member=woerden,
        step="opzeggen",
        source="actief",
        target="opgezegd",
        toelichting="Vertrouwelijke reden",
        door=rvc,
    )
    assert "Vertrouwelijke reden" not in login(eindhoven_user).get(f"/leden/{woerden.pk}/").content.decode()
    woerden_user = member_user(woerden, MemberRole.Role.ALV_VERTEGENWOORDIGER)
    assert "Vertrouwelijke reden" in login(woerden_user).get(f"/leden/{woerden.pk}/").content.decode()


def test_staff_revoke_a_role_and_the_access_goes_with_it(eindhoven, manager):
    leaver = member_user(eindhoven, MemberRole.Role.FINANCIEEL_CONTACT)
    assert login(leaver).get(f"/leden/{eindhoven.pk}/organisatie/").status_code == 200
    role = MemberRole.objects.get(user=leaver)
    response = login(manager).post(f"/leden/{eindhoven.pk}/rollen/{role.pk}/intrekken/")
    assert response.status_code == 302
    assert not MemberRole.objects.filter(user=leaver).exists()
    assert login(leaver).get(f"/leden/{eindhoven.pk}/organisatie/").status_code == 403


def test_a_member_user_cannot_revoke_roles(eindhoven, eindhoven_user):
    other = member_user(eindhoven, MemberRole.Role.FINANCIEEL_CONTACT)
    role = MemberRole.objects.get(user=other)
    assert login(eindhoven_user).post(f"/leden/{eindhoven.pk}/rollen/{role.pk}/intrekken/").status_code == 403
    assert MemberRole.objects.filter(pk=role.pk).exists()


def test_acting_for_one_member_does_not_write_for_another(eindhoven, woerden):
    from beware.common.audit import Actor
    from membership.services import member_role_grant

    user = member_user(eindhoven, MemberRole.Role.LID_BEHEERDER)
    member_role_grant(user, woerden, MemberRole.Role.LID_BEHEERDER, by=Actor.system())
    client = login(user)  # acts for Eindhoven, the first of its members
    response = client.post(f"/leden/{woerden.pk}/organisatie/factuurkenmerk/", {"jaar": 2027, "kenmerk": "W-1"})
    assert response.status_code == 403
    assert not woerden.factuurkenmerken.exists()


def test_a_member_user_cannot_remove_another_members_contact_through_its_own_url(eindhoven_user, eindhoven, woerden):
    from beware.common.audit import Actor

    contact = contact_add(woerden, by=Actor.system(), naam="Wendy", email="w@woerden.example", rol="overig")
    response = login(eindhoven_user).post(f"/leden/{eindhoven.pk}/organisatie/contacten/{contact.pk}/verwijderen/")
    assert response.status_code == 404
    response = login(eindhoven_user).post(f"/leden/{woerden.pk}/organisatie/contacten/{contact.pk}/verwijderen/")
    assert response.status_code == 403
    assert woerden.contacts.filter(pk=contact.pk).exists()


def test_a_member_user_cannot_edit_another_members_address(eindhoven_user, woerden):
    response = login(eindhoven_user).post(f"/leden/{woerden.pk}/organisatie/", {"adres": "Hackstraat 1"})
    assert response.status_code == 403
    woerden.refresh_from_db()
    assert woerden.adres != "Hackstraat 1"


def test_a_lid_beheerder_cannot_take_admission_steps_for_its_own_member(eindhoven_user, eindhoven):
    response = login(eindhoven_user).post(f"/leden/{eindhoven.pk}/stap/opzeggen/", {"datum": "2030-12-31"})
    assert response.status_code == 403
    eindhoven.refresh_from_db()
    assert eindhoven.status == admission.ACTIEF


def test_a_hidden_application_gives_no_hint_of_its_status(eindhoven_user):
    prospect = MemberFactory(status=admission.BELANGSTELLING)
    for step in ("indienen", "rvc_goedkeuren"):
        assert login(eindhoven_user).post(f"/leden/{prospect.pk}/stap/{step}/").status_code == 403


def test_the_admission_link_shows_only_for_roles_that_can_use_the_queue(rvc):
    from beware.accounts.roles import StaffRole
    from tests.conftest import with_totp

    secretaris = with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))
    assert login(secretaris).get("/toelating/").status_code == 403
    assert 'href="/toelating/"' not in login(secretaris).get("/leden/").content.decode()
    assert 'href="/toelating/"' in login(rvc).get("/leden/").content.decode()
