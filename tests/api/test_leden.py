"""REST API v1, leden: the register as in the portal (applications only for
staff and the applicant itself; someone else's application is a 404 like a
missing id), the exact contract fields, the inwoners of a member in a year
(never a silent zero), filters validated, read-only, a constant query budget
and the schema."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from beware.common.audit import Actor
from membership import admission, selectors
from membership import services as membership_services
from membership.models import Member, MemberRole
from tests.api.test_gemeenten import (
    assert_described,
    assert_problem,
    client_for,
    invalid_params,
    results,
    schema,
    token_client,
)
from tests.factories import GemeenteFactory, InwonertalFactory, MemberFactory, RepresentationFactory, member_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/leden/"
FIELDS = {"id", "naam", "soort", "gemeenten", "kvk", "oin", "status", "ingangsdatum", "einddatum"}
NOT_VISIBLE = "Dit lid bestaat niet of u heeft er geen toegang toe."


def url(member, suffix: str = "") -> str:
    return f"{LIST}{member.pk}/" + (f"{suffix}/" if suffix else "")


def names(response) -> list[str]:
    return [row["naam"] for row in results(response)]


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.ALV_VERTEGENWOORDIGER)


@pytest.fixture
def register(eindhoven, woerden):
    """Two active members, one that left, and two applications."""
    gone = MemberFactory(code="oud", naam="Gemeente Oud", status=admission.UITGETREDEN, einddatum=date(2024, 12, 31))
    applicant = MemberFactory(code="helmond", naam="Gemeente Helmond", status=admission.AANVRAAG, ingangsdatum=None)
    prospect = MemberFactory(code="heusden", naam="Gemeente Heusden", status=admission.BELANGSTELLING)
    return {"gone": gone, "applicant": applicant, "prospect": prospect}


# --- who sees what -----------------------------------------------------------------------


class TestVisibility:
    def test_a_member_user_sees_the_register_not_the_applications(self, eindhoven_user, register):
        assert names(client_for(eindhoven_user).get(LIST)) == [
            "Gemeente Eindhoven",
            "Gemeente Oud",
            "Gemeente Woerden",
        ]

    def test_staff_see_the_applications_too(self, directie, rvc, register):
        for user in (directie, rvc):
            assert len(names(client_for(user).get(LIST))) == 5, user

    def test_the_list_follows_member_register_for_every_role(
        self, directie, manager, rvc, eindhoven_user, woerden_user, register
    ):
        for user in (directie, manager, rvc, eindhoven_user, woerden_user):
            expected = [m.naam for m in selectors.member_register(user)]
            assert names(client_for(user).get(LIST)) == expected, user

    def test_someone_elses_application_is_a_404_like_a_missing_id(self, eindhoven_user, register):
        client = client_for(eindhoven_user)
        hidden = assert_problem(client.get(url(register["applicant"])), 404)
        missing = assert_problem(client.get(f"{LIST}{register['prospect'].pk + 1000}/"), 404)
        assert hidden["detail"] == missing["detail"] == NOT_VISIBLE
        assert_problem(client.get(url(register["applicant"], "inwoners")), 404)

    def test_the_applicant_itself_may_open_its_own_application(self, register):
        user = member_user(register["applicant"], MemberRole.Role.LID_BEHEERDER)
        client = client_for(user)
        assert client.get(url(register["applicant"])).json()["status"] == "aanvraag"
        assert "Gemeente Helmond" not in names(client.get(LIST))  # as in the portal's register

    def test_a_member_cannot_widen_its_view_with_status(self, eindhoven_user, register):
        assert names(client_for(eindhoven_user).get(LIST, {"status": "aanvraag"})) == []


# --- the contract -------------------------------------------------------------------------


class TestFields:
    def test_exactly_the_contract_fields(self, eindhoven_user, eindhoven):
        eindhoven.kvk, eindhoven.oin = "17272738", "00000001001234567000"
        eindhoven.save()
        [row] = [r for r in results(client_for(eindhoven_user).get(LIST)) if r["id"] == eindhoven.pk]
        assert row == {
            "id": eindhoven.pk,
            "naam": "Gemeente Eindhoven",
            "soort": "gemeente",
            "gemeenten": ["GM0772"],
            "kvk": "17272738",
            "oin": "00000001001234567000",
            "status": "actief",
            "ingangsdatum": "2020-01-01",
            "einddatum": None,
        }

    def test_unknown_identifiers_are_null_not_empty_text(self, eindhoven_user, woerden):
        body = client_for(eindhoven_user).get(url(woerden)).json()
        assert set(body) == FIELDS
        assert (body["kvk"], body["oin"]) == (None, None)

    def test_gemeenten_are_those_represented_today_by_name(self, eindhoven_user):
        today = timezone.localdate()
        host = MemberFactory(code="mgd", naam="MijnGemeenteDichtbij", soort=Member.Kind.GEMEENSCHAPPELIJKE_REGELING)
        RepresentationFactory(member=host, gemeente=GemeenteFactory(code="GM0845", naam="Sint-Michielsgestel"))
        RepresentationFactory(member=host, gemeente=GemeenteFactory(code="GM0757", naam="Boxtel"))
        RepresentationFactory(
            member=host, gemeente=GemeenteFactory(code="GM0796", naam="'s-Hertogenbosch"), geldig_tot=today
        )
        RepresentationFactory(
            member=host, gemeente=GemeenteFactory(code="GM0865", naam="Vught"), geldig_van=today + timedelta(days=1)
        )
        body = client_for(eindhoven_user).get(url(host)).json()
        assert (body["soort"], body["gemeenten"]) == ("gemeenschappelijke_regeling", ["GM0757", "GM0845"])

    def test_a_member_that_left_has_its_einddatum(self, eindhoven_user, register):
        body = client_for(eindhoven_user).get(url(register["gone"])).json()
        assert (body["status"], body["einddatum"]) == ("uitgetreden", "2024-12-31")


# --- inwoners ------------------------------------------------------------------------------


class TestInwoners:
    @pytest.fixture
    def mgd(self):
        """A GR representing two gemeenten, with figures for 2026 and one for 2027."""
        member = MemberFactory(code="mgd", naam="MijnGemeenteDichtbij")
        boxtel = GemeenteFactory(code="GM0757", naam="Boxtel")
        gestel = GemeenteFactory(code="GM0845", naam="Sint-Michielsgestel")
        for gemeente in (boxtel, gestel):
            RepresentationFactory(member=member, gemeente=gemeente)
        InwonertalFactory(gemeente=boxtel, jaar=2026, aantal=31_961)
        InwonertalFactory(gemeente=gestel, jaar=2026, aantal=29_811)
        InwonertalFactory(gemeente=boxtel, jaar=2027, aantal=32_100)
        return member

    def test_the_sum_of_the_represented_gemeenten(self, woerden_user, mgd):
        response = client_for(woerden_user).get(url(mgd, "inwoners"), {"jaar": 2026})
        assert response.status_code == 200
        assert response.json() == {"jaar": 2026, "inwoners": 61_772}

    def test_without_jaar_the_current_year(self, woerden_user, mgd, monkeypatch):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 6, 1))
        assert client_for(woerden_user).get(url(mgd, "inwoners")).json() == {"jaar": 2026, "inwoners": 61_772}

    def test_a_missing_figure_is_a_404_naming_gemeente_and_year_never_zero(self, woerden_user, mgd):
        body = assert_problem(client_for(woerden_user).get(url(mgd, "inwoners"), {"jaar": 2027}), 404)
        assert body["detail"] == "Geen inwonertal bekend voor Sint-Michielsgestel (GM0845) in 2027."
        assert body["code"] == "inwoners_onbekend"

    def test_a_member_without_gemeenten_on_1_january_is_a_404(self, woerden_user):
        member = MemberFactory(code="nieuw", ingangsdatum=date(2026, 4, 1))
        RepresentationFactory(member=member, geldig_van=date(2026, 4, 1))
        body = assert_problem(client_for(woerden_user).get(url(member, "inwoners"), {"jaar": 2026}), 404)
        assert body["detail"] == "Dit lid vertegenwoordigt op 01-01-2026 geen gemeente."

    def test_a_wrong_jaar_is_a_400_naming_it(self, woerden_user, mgd):
        params = invalid_params(client_for(woerden_user).get(url(mgd, "inwoners"), {"jaar": "x"}))
        assert params["jaar"]["reason"] == "Een geldig getal is vereist."
        params = invalid_params(client_for(woerden_user).get(url(mgd, "inwoners"), {"jaar": 1800}))
        assert params["jaar"]["code"] == "min_value"


# --- filters ---------------------------------------------------------------------------------


class TestFilters:
    def test_status_soort_and_zoekterm(self, directie, register):
        client = client_for(directie)
        assert names(client.get(LIST, {"status": "aanvraag"})) == ["Gemeente Helmond"]
        assert names(client.get(LIST, {"soort": "overige_overheid"})) == []
        assert names(client.get(LIST, {"zoekterm": "woerden"})) == ["Gemeente Woerden"]
        assert names(client.get(LIST, {"zoekterm": "eindhov", "status": "actief"})) == ["Gemeente Eindhoven"]

    def test_ordering(self, directie, register):
        client = client_for(directie)
        by_name = names(client.get(LIST, {"ordering": "naam"}))
        assert by_name == sorted(by_name)
        assert names(client.get(LIST, {"ordering": "-naam"})) == by_name[::-1]
        register["gone"].ingangsdatum = date(2017, 1, 12)
        register["gone"].save()
        assert names(client.get(LIST, {"ordering": "ingangsdatum", "status": "uitgetreden"})) == ["Gemeente Oud"]
        assert names(client.get(LIST, {"ordering": "ingangsdatum"}))[0] == "Gemeente Oud"
        assert names(client.get(LIST, {"ordering": "-ingangsdatum"}))[-1] == "Gemeente Helmond"  # none yet

    def test_wrong_filters_are_a_400_naming_each(self, directie, register):
        response = client_for(directie).get(LIST, {"status": "lid", "soort": "provincie", "ordering": "kvk"})
        params = invalid_params(response)
        assert set(params) == {"status", "soort", "ordering"}
        assert all(p["code"] == "invalid_choice" for p in params.values())


# --- read-only, authentication ------------------------------------------------------------


class TestReadOnly:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_are_405_in_dutch_and_change_nothing(self, directie, eindhoven, method):
        client = client_for(directie)
        for path in (LIST, url(eindhoven), url(eindhoven, "inwoners")):
            response = getattr(client, method)(path, {"naam": "Gewijzigd", "status": "uitgetreden"})
            body = assert_problem(response, 405)
            assert body["detail"].startswith("Leden zijn via de API alleen te lezen")
        eindhoven.refresh_from_db()
        assert (eindhoven.naam, eindhoven.status, Member.objects.count()) == ("Gemeente Eindhoven", "actief", 1)

    def test_unauthenticated_is_a_401_problem(self, eindhoven):
        for path in (LIST, url(eindhoven), url(eindhoven, "inwoners")):
            assert_problem(APIClient().get(path), 401)

    def test_a_real_token_header(self, eindhoven_user, register):
        client = token_client(eindhoven_user)
        assert "Gemeente Helmond" not in names(client.get(LIST))
        assert_problem(client.get(url(register["applicant"])), 404)


# --- query budget and schema ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["directie", "eindhoven_user"])
def test_the_list_costs_the_same_queries_for_3_and_30_members(request, who, eindhoven, django_assert_max_num_queries):
    client = token_client(request.getfixturevalue(who))

    def add(n):
        for _ in range(n):
            member = MemberFactory()
            RepresentationFactory(member=member)
            RepresentationFactory(member=member)

    add(2)
    client.get(LIST)  # the key's "laatst gebruikt" is written once a minute: not in the measurement
    with CaptureQueriesContext(connection) as three:
        small = results(client.get(LIST))
    add(27)
    with django_assert_max_num_queries(len(three)):
        large = results(client.get(LIST))
    assert (len(small), len(large)) == (3, 30)
    assert all(len(row["gemeenten"]) == 2 for row in large if row["naam"] != "Gemeente Eindhoven")
    assert len(three) <= 6  # token+user, two permission reads, count, page, gemeenten


def test_a_member_with_its_inwoners_costs_few_queries(woerden_user, eindhoven, django_assert_max_num_queries):
    InwonertalFactory(gemeente=eindhoven.representations.get().gemeente, jaar=2026, aantal=238_000)
    membership_services.member_role_grant(woerden_user, eindhoven, MemberRole.Role.COMMUNITY_CONTACT, by=Actor.system())
    client = token_client(woerden_user)
    client.get(url(eindhoven))
    with django_assert_max_num_queries(6):  # token+user, member, permissions, gemeenten
        assert client.get(url(eindhoven)).status_code == 200
    with django_assert_max_num_queries(6):  # token+user, member, permissions, representations, figures
        assert client.get(url(eindhoven, "inwoners"), {"jaar": 2026}).json()["inwoners"] == 238_000


def test_the_schema_is_dutch_and_read_only(capsys):
    spec = schema(capsys)
    components = spec["components"]["schemas"]
    assert_described(components["Lid"], FIELDS)
    assert_described(components["LidInwoners"], {"jaar", "inwoners"})
    paths = {p: v for p, v in spec["paths"].items() if p.startswith(LIST)}
    assert set(paths) == {LIST, f"{LIST}{{id}}/", f"{LIST}{{id}}/inwoners/"}
    for path in paths.values():
        assert set(path) == {"get"}
        assert all(p.get("description") for p in path["get"]["parameters"])
