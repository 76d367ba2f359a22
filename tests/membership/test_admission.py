from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from beware.common.audit import Actor, verify_chain
from beware.common.models import AuditEvent
from membership import admission, services
from membership.models import Member, StatusChange
from tests.conftest import login
from tests.factories import GemeenteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(manager):
    return services.member_apply(
        by=Actor(user=manager),
        code="woerden",
        naam="Gemeente Woerden",
        soort=Member.Kind.GEMEENTE,
        gemeenten=[GemeenteFactory(code="GM0632", naam="Woerden")],
        vertegenwoordigt_vanaf=date(2027, 4, 1),
    )


def test_the_whole_admission_runs_step_by_step_by_the_right_roles(application, rvc, directie, manager):
    services.member_take_step(application, "rvc_goedkeuren", by=Actor(user=rvc), toelichting="Akkoord")
    services.member_take_step(application, "toelaten", by=Actor(user=directie), datum=date(2027, 4, 1))
    member = services.member_take_step(
        application, "overeenkomst_ondertekend", by=Actor(user=manager), datum=date(2027, 4, 1)
    )
    assert (member.status, member.ingangsdatum) == (admission.ACTIEF, date(2027, 4, 1))
    history = list(StatusChange.objects.filter(member=member).values_list("step", "door__email"))
    assert history == [
        ("rvc_goedkeuren", rvc.email),
        ("toelaten", directie.email),
        ("overeenkomst_ondertekend", manager.email),
    ]
    actions = list(AuditEvent.objects.filter(object_id=str(member.pk)).values_list("action", flat=True))
    assert actions[-3:] == ["lid.rvc_goedkeuren", "lid.toelaten", "lid.overeenkomst_ondertekend"]
    assert verify_chain() is None


@pytest.mark.parametrize("wrong", ["directie", "manager", "eindhoven_user"])
def test_only_the_rvc_approves_an_application(application, wrong, request):
    user = request.getfixturevalue(wrong)
    with pytest.raises(PermissionDenied):
        services.member_take_step(application, "rvc_goedkeuren", by=Actor(user=user))
    application.refresh_from_db()
    assert application.status == admission.AANVRAAG
    assert not StatusChange.objects.filter(member=application).exists()


def test_the_rvc_cannot_take_the_directie_decision(application, rvc):
    services.member_take_step(application, "rvc_goedkeuren", by=Actor(user=rvc))
    with pytest.raises(PermissionDenied):
        services.member_take_step(application, "toelaten", by=Actor(user=rvc), datum=date(2027, 4, 1))
    application.refresh_from_db()
    assert application.status == admission.RVC_GOEDGEKEURD


def test_the_view_refuses_a_step_by_the_wrong_role_with_403(application, manager):
    response = login(manager).post(f"/leden/{application.pk}/stap/rvc_goedkeuren/", {})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == admission.AANVRAAG


def test_the_rvc_approves_from_the_queue(application, rvc):
    client = login(rvc)
    page = client.get("/toelating/").content.decode()
    assert "Gemeente Woerden" in page
    assert "Goedkeuren (RvC)" in page
    response = client.post(f"/leden/{application.pk}/stap/rvc_goedkeuren/", {"terug": "wachtrij"})
    assert response["Location"] == "/toelating/"
    application.refresh_from_db()
    assert application.status == admission.RVC_GOEDGEKEURD


def test_a_step_out_of_order_is_refused_with_a_message(application, directie):
    response = login(directie).post(f"/leden/{application.pk}/stap/toelaten/", {"datum": "2027-04-01"}, follow=True)
    assert "kan niet bij status" in response.content.decode()
    application.refresh_from_db()
    assert application.status == admission.AANVRAAG


def test_admission_needs_an_ingangsdatum(application, rvc, directie):
    services.member_take_step(application, "rvc_goedkeuren", by=Actor(user=rvc))
    with pytest.raises(ValidationError, match="Vul de datum in"):
        services.member_take_step(application, "toelaten", by=Actor(user=directie))


def test_a_refused_application_ends_as_afgewezen(application, rvc):
    services.member_take_step(application, "rvc_afwijzen", by=Actor(user=rvc), toelichting="Geen overheid")
    application.refresh_from_db()
    assert application.status == admission.AFGEWEZEN


def test_exit_is_recorded_and_takes_effect_on_the_einddatum(eindhoven, manager):
    services.member_take_step(eindhoven, "opzeggen", by=Actor(user=manager), datum=date(2099, 12, 31))
    with pytest.raises(ValidationError, match="Uittreden kan pas vanaf de einddatum"):
        services.member_take_step(eindhoven, "uittreden", by=Actor(user=manager))
    eindhoven.refresh_from_db()
    assert (eindhoven.status, eindhoven.einddatum) == (admission.OPGEZEGD, date(2099, 12, 31))


def test_an_einddatum_before_the_ingangsdatum_is_refused(eindhoven, manager):
    with pytest.raises(ValidationError, match="vóór de ingangsdatum"):
        services.member_take_step(eindhoven, "opzeggen", by=Actor(user=manager), datum=date(2019, 1, 1))


def _apply_for_helmond(manager, **overrides):
    gemeente = GemeenteFactory(code="GM0794", naam="Helmond")
    form = {
        "naam": "Gemeente Helmond",
        "code": "helmond",
        "soort": "gemeente",
        "oin": "00000001001902763000",
        "status": "aanvraag",
        "gemeenten": [gemeente.pk],
        "vertegenwoordigt_vanaf": "2027-01-01",
    }
    return login(manager).post("/toelating/nieuw/", {**form, **overrides})


def test_registering_an_application_through_the_form(manager):
    response = _apply_for_helmond(manager)
    member = Member.objects.get(code="helmond")
    assert response["Location"] == f"/leden/{member.pk}/"
    assert member.status == admission.AANVRAAG
    assert list(member.representations.values_list("gemeente__code", flat=True)) == ["GM0794"]


def test_a_bad_oin_on_the_form_is_named_and_nothing_is_saved(manager):
    response = _apply_for_helmond(manager, oin="00000001001902764000")
    assert response.status_code == 200
    assert "geen geldig RSIN" in response.content.decode()
    assert not Member.objects.filter(code="helmond").exists()


def test_an_application_for_a_represented_gemeente_saves_nothing(manager, eindhoven):
    response = login(manager).post(
        "/toelating/nieuw/",
        {
            "naam": "Tweede Eindhoven",
            "code": "eindhoven-2",
            "soort": "gemeente",
            "status": "aanvraag",
            "gemeenten": [eindhoven.representations.get().gemeente_id],
            "vertegenwoordigt_vanaf": "2027-01-01",
        },
    )
    assert "al vertegenwoordigd door Gemeente Eindhoven" in response.content.decode()
    assert not Member.objects.filter(code="eindhoven-2").exists()


def test_inviting_a_user_sends_a_link_that_sets_a_password(manager, eindhoven, django_capture_on_commit_callbacks):
    from django.test import Client

    client = login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/leden/{eindhoven.pk}/uitnodigen/",
            {
                "email": "nieuw@eindhoven.example",
                "first_name": "Nina",
                "last_name": "Nieuw",
                "roles": ["financieel_contact"],
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "namens Gemeente Eindhoven" in body
    link = next(line for line in body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link.removeprefix("http://127.0.0.1:8000")
    anonymous = Client()
    form_page = anonymous.get(path, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    response = anonymous.post(
        set_password_url, {"password1": "Een-lang-nieuw-wachtwoord-7", "password2": "Een-lang-nieuw-wachtwoord-7"}
    )
    assert response.status_code == 302
    assert Client().login(email="nieuw@eindhoven.example", password="Een-lang-nieuw-wachtwoord-7")
    user = eindhoven.user_roles.get(role="financieel_contact").user
    assert user.has_perm("membership.view_private_member", eindhoven)


def test_a_member_user_cannot_invite(eindhoven_user, eindhoven):
    assert login(eindhoven_user).get(f"/leden/{eindhoven.pk}/uitnodigen/").status_code == 403
