"""REST API v1, communities and their deelnemers: public to every logged-in
user as in the portal, the exact contract fields, only current participants
(not requests, refusals or members that left), filters validated, read-only,
a constant query budget and the schema. Participation is made through the
real services."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from beware.common.audit import Actor
from communities import services
from communities.models import Community, Participation
from membership.models import MemberRole
from tests.api.test_gemeenten import (
    assert_described,
    assert_problem,
    client_for,
    invalid_params,
    results,
    schema,
    token_client,
)
from tests.factories import CommunityFactory, MemberFactory, member_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/communities/"
FIELDS = {"slug", "naam", "status", "trekker"}
DEELNEMER_FIELDS = {"lid", "datum", "fase"}


def deelnemers(community="corv") -> str:
    return f"{LIST}{community}/deelnemers/"


def slugs(response) -> list[str]:
    return [row["slug"] for row in results(response)]


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.COMMUNITY_CONTACT)


@pytest.fixture
def catalogue(eindhoven, woerden):
    return {
        "corv": CommunityFactory(slug="corv", naam="CORV", trekker=eindhoven, status="beheer"),
        "cumulus": CommunityFactory(
            slug="cumulus", naam="Inwonercloud", trekker=woerden, status="productie", leverancier="Cumulus BV"
        ),
        "zaken": CommunityFactory(slug="zaaksysteem", naam="Zaaksysteem", trekker=eindhoven, status="idee"),
    }


@pytest.fixture
def corv_members(catalogue, boss, eindhoven, woerden):
    """Eindhoven joined in the idea phase, Woerden later in production;
    Helmond left, Heusden's request waits and Oss was refused."""
    corv = catalogue["corv"]
    services.community_update(corv, by=boss, status="idee")
    services.participation_add(corv, eindhoven, by=boss, datum=date(2017, 3, 1))
    services.community_update(corv, by=boss, status="productie")
    services.participation_add(corv, woerden, by=boss, datum=date(2019, 9, 1))
    helmond, heusden, oss = (MemberFactory(code=c) for c in ("helmond", "heusden", "oss"))
    left = services.participation_add(corv, helmond, by=boss, datum=date(2018, 1, 1))
    services.participation_end(left, by=boss, einddatum=date(2020, 12, 31))
    for member in (heusden, oss):  # asked by the member's own representative, acting for it
        representative = member_user(member, MemberRole.Role.COMMUNITY_CONTACT)
        services.participation_request(corv, member, by=Actor(user=representative, member=member))
    refused = Participation.objects.get(community=corv, member=oss)
    services.participation_reject(refused, by=boss, toelichting="Geen budget")
    return corv


# --- communities -------------------------------------------------------------------------


class TestCommunities:
    def test_every_logged_in_user_sees_the_whole_catalogue_by_name(self, catalogue, directie, rvc, woerden_user):
        for user in (directie, rvc, woerden_user):
            assert slugs(client_for(user).get(LIST)) == ["corv", "cumulus", "zaaksysteem"], user

    def test_exactly_the_contract_fields(self, catalogue, woerden_user, eindhoven):
        client = client_for(woerden_user)
        expected = {"slug": "corv", "naam": "CORV", "status": "beheer", "trekker": eindhoven.pk}
        assert results(client.get(LIST))[0] == expected
        assert client.get(f"{LIST}corv/").json() == expected

    def test_status_trekker_and_zoekterm(self, catalogue, woerden_user, eindhoven):
        client = client_for(woerden_user)
        assert slugs(client.get(LIST, {"status": "productie"})) == ["cumulus"]
        assert slugs(client.get(LIST, {"trekker": eindhoven.pk})) == ["corv", "zaaksysteem"]
        assert slugs(client.get(LIST, {"zoekterm": "cumulus"})) == ["cumulus"]  # the leverancier
        assert slugs(client.get(LIST, {"trekker": eindhoven.pk, "status": "idee"})) == ["zaaksysteem"]

    def test_ordering(self, catalogue, woerden_user):
        client = client_for(woerden_user)
        assert slugs(client.get(LIST, {"ordering": "-naam"})) == ["zaaksysteem", "cumulus", "corv"]
        assert slugs(client.get(LIST, {"ordering": "slug"})) == ["corv", "cumulus", "zaaksysteem"]

    def test_wrong_filters_are_a_400_naming_each(self, catalogue, woerden_user):
        response = client_for(woerden_user).get(LIST, {"status": "gereed", "trekker": "eindhoven", "ordering": "x"})
        params = invalid_params(response)
        assert set(params) == {"status", "trekker", "ordering"}
        assert params["trekker"]["reason"] == "Een geldig getal is vereist."

    def test_an_unknown_slug_is_a_404_problem(self, catalogue, woerden_user):
        body = assert_problem(client_for(woerden_user).get(f"{LIST}bestaat-niet/"), 404)
        assert body["detail"] == "Deze community bestaat niet."


# --- deelnemers --------------------------------------------------------------------------


class TestDeelnemers:
    def test_only_current_participants_with_date_and_phase_at_joining(
        self, corv_members, rvc, eindhoven, woerden, woerden_user
    ):
        expected = [
            {"lid": eindhoven.pk, "datum": "2017-03-01", "fase": "idee"},
            {"lid": woerden.pk, "datum": "2019-09-01", "fase": "productie"},
        ]
        for user in (rvc, woerden_user):  # public, as on the community page
            assert results(client_for(user).get(deelnemers())) == expected
        assert Participation.objects.filter(community=corv_members).count() == 5

    def test_ordering(self, corv_members, woerden_user, eindhoven, woerden):
        rows = results(client_for(woerden_user).get(deelnemers(), {"ordering": "-datum"}))
        assert [r["lid"] for r in rows] == [woerden.pk, eindhoven.pk]

    def test_another_community_has_its_own(self, corv_members, catalogue, woerden_user):
        assert results(client_for(woerden_user).get(deelnemers("cumulus"))) == []

    def test_a_wrong_ordering_is_a_400(self, corv_members, woerden_user):
        params = invalid_params(client_for(woerden_user).get(deelnemers(), {"ordering": "lid"}))
        assert params["ordering"]["code"] == "invalid_choice"

    def test_an_unknown_community_is_a_404_not_an_empty_list(self, woerden_user):
        body = assert_problem(client_for(woerden_user).get(deelnemers("bestaat-niet")), 404)
        assert body["detail"] == "Deze community bestaat niet."


# --- read-only, authentication ------------------------------------------------------------


class TestReadOnly:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_are_405_in_dutch_and_change_nothing(self, corv_members, directie, woerden, method):
        client = client_for(directie)
        for path in (LIST, f"{LIST}corv/", deelnemers()):
            response = getattr(client, method)(path, {"naam": "Gewijzigd", "lid": woerden.pk, "status": "idee"})
            body = assert_problem(response, 405)
            assert body["detail"].startswith("Communities en hun deelnemers zijn via de API alleen te lezen")
        corv_members.refresh_from_db()
        assert (corv_members.naam, corv_members.status) == ("CORV", "productie")
        assert (Community.objects.count(), Participation.objects.count()) == (3, 5)

    @pytest.mark.parametrize("path", [LIST, f"{LIST}corv/", deelnemers()])
    def test_unauthenticated_is_a_401_problem(self, corv_members, path):
        assert_problem(APIClient().get(path), 401)

    def test_a_real_token_header(self, corv_members, woerden_user, eindhoven, woerden):
        client = token_client(woerden_user)
        assert slugs(client.get(LIST)) == ["corv", "cumulus", "zaaksysteem"]
        assert [r["lid"] for r in results(client.get(deelnemers()))] == [eindhoven.pk, woerden.pk]


# --- query budget and schema ----------------------------------------------------------------


def test_the_list_costs_the_same_queries_for_3_and_30_communities(woerden_user, django_assert_max_num_queries):
    client = token_client(woerden_user)
    for _ in range(3):
        CommunityFactory()
    client.get(LIST)  # the key's "laatst gebruikt" is written once a minute: not in the measurement
    with CaptureQueriesContext(connection) as three:
        assert len(results(client.get(LIST))) == 3
    for _ in range(27):
        CommunityFactory()
    with django_assert_max_num_queries(len(three)):
        assert len(results(client.get(LIST))) == 30
    assert len(three) <= 3  # token+user, count, page


def test_deelnemers_cost_the_same_queries_for_3_and_30(woerden_user, boss, django_assert_max_num_queries):
    community = CommunityFactory(slug="corv")
    client = token_client(woerden_user)

    def join(n):
        for _ in range(n):
            services.participation_add(community, MemberFactory(), by=boss, datum=date(2025, 1, 1))

    join(3)
    client.get(deelnemers())
    with CaptureQueriesContext(connection) as three:
        assert len(results(client.get(deelnemers()))) == 3
    join(27)
    with django_assert_max_num_queries(len(three)):
        assert len(results(client.get(deelnemers()))) == 30
    assert len(three) <= 4  # token+user, community, count, page


def test_the_schema_is_dutch_and_read_only(capsys):
    spec = schema(capsys)
    components = spec["components"]["schemas"]
    assert_described(components["Community"], FIELDS)
    assert_described(components["CommunityDeelnemer"], DEELNEMER_FIELDS)
    paths = {p: v for p, v in spec["paths"].items() if p.startswith(LIST)}
    assert set(paths) == {LIST, f"{LIST}{{slug}}/", f"{LIST}{{slug}}/deelnemers/"}
    for path in paths.values():
        assert set(path) == {"get"}
        assert all(p.get("description") for p in path["get"]["parameters"])
