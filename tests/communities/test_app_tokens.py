"""Application keys on the community page: its coordinators and the directie
make one (shown once, only its hash kept) and revoke it, audited; nobody
else may; the key works on the API until it is revoked."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from beware.common.audit import Actor
from beware.common.models import AuditEvent
from communities import services
from communities.models import ApplicationToken
from invoicing.models import UsageCount
from membership.models import MemberRole
from tests.conftest import login
from tests.factories import CommunityFactory, member_user

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system()
PAGE = "/communities/signalen/"
MAKE = "/communities/signalen/applicatiesleutels/"


@pytest.fixture
def signalen(eindhoven):
    community = CommunityFactory(slug="signalen", naam="Signalen", trekker=eindhoven)
    services.participation_add(community, eindhoven, by=SYSTEM, datum=date(2025, 1, 1))  # usage is a participant's
    return community


@pytest.fixture
def coordinator(signalen, eindhoven):
    user = member_user(eindhoven, MemberRole.Role.COMMUNITY_CONTACT)
    services.coordinator_add(signalen, user, by=SYSTEM)
    return user


def revoke_url(token) -> str:
    return f"{MAKE}{token.pk}/intrekken/"


def report_usage(key: str, community, member) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"community": community.slug, "lid": member.pk, "periode": "2026-Q1", "aantal": 10}
    return client.post("/api/v1/gebruik/", body, format="json").status_code


def make(client, naam="Signalen productie"):
    response = client.post(MAKE, {"naam": naam})
    assert response.status_code == 200, response.content
    return response, ApplicationToken.objects.get(naam=naam)


def shown_key(response) -> str:
    return response.context["sleutel"]


class TestMaking:
    def test_a_coordinator_makes_a_key_shown_once(self, coordinator, signalen, eindhoven):
        client = login(coordinator)
        response, token = make(client)
        key = shown_key(response)
        page = response.content.decode()
        assert f'value="{key}"' in page and key.startswith("app_")
        assert 'for="nieuwe-sleutel"' in page  # the key's field has a label
        assert "no-store" in response["Cache-Control"]
        assert (token.community, token.aangemaakt_door, token.is_active) == (signalen, coordinator, True)
        assert token.sleutel_hash == ApplicationToken.hash(key)
        assert key not in client.get(PAGE).content.decode()  # never shown again
        event = AuditEvent.objects.get(action="community.applicatiesleutel_aangemaakt")
        assert (event.actor, event.object_id, event.data) == (
            coordinator,
            str(signalen.pk),
            {"sleutel": token.pk, "naam": "Signalen productie"},
        )
        assert key not in str(AuditEvent.objects.values_list("data", flat=True))
        assert report_usage(key, signalen, eindhoven) == 201

    def test_the_directie_makes_one_too(self, directie, signalen):
        make(login(directie))
        assert ApplicationToken.objects.get().aangemaakt_door == directie

    def test_a_name_is_required(self, coordinator):
        response = login(coordinator).post(MAKE, {"naam": "  "}, follow=True)
        assert "Naam van de sleutel: Dit veld is vereist." in response.content.decode()
        assert not ApplicationToken.objects.exists()

    @pytest.mark.parametrize("who", ["member", "other_coordinator", "rvc"])
    def test_nobody_else_may(self, request, who, signalen, eindhoven, rvc):
        if who == "member":
            user = member_user(eindhoven, MemberRole.Role.LID_BEHEERDER)
        elif who == "other_coordinator":
            user = member_user(eindhoven, MemberRole.Role.COMMUNITY_CONTACT)
            services.coordinator_add(CommunityFactory(), user, by=SYSTEM)
        else:
            user = rvc
        assert login(user).post(MAKE, {"naam": "Stiekem"}).status_code == 403
        assert not ApplicationToken.objects.exists()
        assert "Applicatiesleutels" not in login(user).get(PAGE).content.decode()


class TestRevoking:
    @pytest.fixture
    def made(self, signalen, coordinator):
        return services.application_token_create(signalen, by=Actor(user=coordinator), naam="Test")

    def test_the_page_lists_the_keys_with_a_labelled_revoke_button(self, coordinator, made):
        page = login(coordinator).get(PAGE).content.decode()
        assert 'id="applicatiesleutels"' in page
        assert '<th scope="row" class="utrecht-table__cell">Test</th>' in page
        assert 'Intrekken<span class="beware-visually-hidden"> Test</span>' in page
        assert made[1] not in page

    def test_a_coordinator_revokes_and_the_key_stops_working(self, coordinator, signalen, eindhoven, made):
        token, key = made
        response = login(coordinator).post(revoke_url(token))
        assert response.status_code == 302
        assert response["Location"] == f"{PAGE}#applicatiesleutels"
        token.refresh_from_db()
        assert token.ingetrokken is not None
        assert report_usage(key, signalen, eindhoven) == 401
        assert not UsageCount.objects.exists()
        login(coordinator).post(revoke_url(token))  # twice changes nothing
        assert AuditEvent.objects.filter(action="community.applicatiesleutel_ingetrokken").count() == 1
        page = login(coordinator).get(PAGE).content.decode()
        assert "ingetrokken" in page and 'Intrekken<span class="beware-visually-hidden"> Test</span>' not in page

    def test_nobody_else_may_revoke(self, signalen, eindhoven, made):
        token, key = made
        user = member_user(eindhoven, MemberRole.Role.LID_BEHEERDER)
        assert login(user).post(revoke_url(token)).status_code == 403
        token.refresh_from_db()
        assert token.is_active
        assert report_usage(key, signalen, eindhoven) == 201

    def test_a_key_is_revoked_through_its_own_community_only(self, directie, made):
        token, _ = made
        CommunityFactory(slug="zaken")
        assert login(directie).post(f"/communities/zaken/applicatiesleutels/{token.pk}/intrekken/").status_code == 404
        token.refresh_from_db()
        assert token.is_active
