"""REST API v1, contributietarieven and contributie per lid: the tarieven are
public, set only by the directie through invoicing.services (audited, refused
while invoiced, nothing half-saved); the contributie per lid is the invoiced
amount, exact to the cent as a string, and only for whoever may read that
member's invoices. Filters validated, a constant query budget, the schema."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from invoicing import services
from invoicing.models import ContributionRate
from membership import services as membership_services
from membership.models import MemberRole
from tests.api.test_facturen import YEAR, billable
from tests.api.test_gemeenten import (
    assert_described,
    assert_problem,
    client_for,
    invalid_params,
    results,
    schema,
    token_client,
)
from tests.conftest import with_totp
from tests.factories import MemberFactory, RepresentationFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db

D = Decimal
TARIEVEN = "/api/v1/contributietarieven/"
CONTRIBUTIE = "/api/v1/contributie/"
TARIEF_FIELDS = {"jaar", "bedrag_per_inwoner", "besluit", "besluitdatum"}
FIELDS = {"lid", "inwoners", "maanden", "bedrag"}
NEW_RATE = {
    "jaar": 2027,
    "bedrag_per_inwoner": "0.3625",
    "besluit": "ALV 9 december 2026, punt 5",
    "besluitdatum": "2026-12-09",
}


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def rate(boss):
    return services.contribution_rate_set(
        by=boss,
        jaar=YEAR,
        bedrag_per_inwoner=D("0.3500"),
        besluit="ALV 10 december 2025, punt 4",
        besluitdatum=date(2025, 12, 10),
    )


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.FINANCIEEL_CONTACT)


@pytest.fixture
def invoiced(eindhoven, woerden, rate, boss):
    """This year's contributie for Eindhoven (238.000 × € 0,35), Woerden
    (52.000) and Heusden, which joined in April (52.001 × € 0,35 × 9/12)."""
    heusden = MemberFactory(code="heusden", naam="Gemeente Heusden", ingangsdatum=date(YEAR, 4, 1))
    RepresentationFactory(member=heusden)
    return {
        member.code: services.contribution_invoice(billable(member, inwoners), rate, by=boss)
        for member, inwoners in ((eindhoven, 238_000), (woerden, 52_000), (heusden, 52_001))
    }


def rows(response) -> dict[int, dict]:
    return {row["lid"]: row for row in results(response)}


def audit_count() -> int:
    return AuditEvent.objects.filter(action="contributie.tarief").count()


# --- contributietarieven: reading --------------------------------------------------------


class TestTarievenLezen:
    def test_every_logged_in_user_reads_the_tarieven_newest_first(self, rate, boss, eindhoven_user, rvc):
        services.contribution_rate_set(
            by=boss, jaar=YEAR + 1, bedrag_per_inwoner=D("0.36"), besluit="ALV", besluitdatum=date(YEAR, 12, 9)
        )
        for user in (eindhoven_user, rvc):
            assert results(client_for(user).get(TARIEVEN)) == [
                {"jaar": YEAR + 1, "bedrag_per_inwoner": "0.3600", "besluit": "ALV", "besluitdatum": f"{YEAR}-12-09"},
                {
                    "jaar": YEAR,
                    "bedrag_per_inwoner": "0.3500",
                    "besluit": "ALV 10 december 2025, punt 4",
                    "besluitdatum": "2025-12-10",
                },
            ]
        years = [r["jaar"] for r in results(client_for(rvc).get(TARIEVEN, {"ordering": "jaar"}))]
        assert years == [YEAR, YEAR + 1]

    def test_the_rate_is_a_string_with_four_decimals(self, rate, eindhoven_user):
        response = client_for(eindhoven_user).get(f"{TARIEVEN}{YEAR}/")
        assert response.json()["bedrag_per_inwoner"] == "0.3500"
        assert b'"bedrag_per_inwoner":"0.3500"' in response.content  # a JSON string, never a number

    def test_a_year_without_a_rate_is_a_404_problem(self, rate, eindhoven_user):
        body = assert_problem(client_for(eindhoven_user).get(f"{TARIEVEN}2031/"), 404)
        assert body["detail"] == "Voor dit jaar is geen contributietarief vastgelegd."

    def test_a_wrong_ordering_is_a_400(self, rate, eindhoven_user):
        assert set(invalid_params(client_for(eindhoven_user).get(TARIEVEN, {"ordering": "bedrag"}))) == {"ordering"}


# --- contributietarieven: setting one -------------------------------------------------------


class TestTariefVastleggen:
    def test_the_directie_sets_a_rate_exactly_and_audited(self, directie):
        response = client_for(directie).post(TARIEVEN, NEW_RATE)
        assert response.status_code == 201, response.content
        assert response.json() == NEW_RATE
        assert response["Location"] == f"http://testserver{TARIEVEN}2027/"
        rate = ContributionRate.objects.get(jaar=2027)
        assert (rate.bedrag_per_inwoner, rate.besluit, rate.besluitdatum) == (
            D("0.3625"),
            "ALV 9 december 2026, punt 5",
            date(2026, 12, 9),
        )
        event = AuditEvent.objects.get(action="contributie.tarief")
        assert (event.actor, event.member, event.object_id) == (directie, None, str(rate.pk))
        assert event.data["bedrag_per_inwoner"] == "0.3625"

    def test_posting_the_same_year_again_changes_it_while_nothing_is_invoiced(self, directie, rate):
        response = client_for(directie).post(TARIEVEN, {**NEW_RATE, "jaar": YEAR, "bedrag_per_inwoner": "0.3700"})
        assert response.status_code == 200, response.content
        assert response.json()["bedrag_per_inwoner"] == "0.3700"
        rate.refresh_from_db()
        assert rate.bedrag_per_inwoner == D("0.3700")
        assert ContributionRate.objects.count() == 1

    def test_an_invoiced_year_is_refused_by_the_service_and_nothing_changes(self, directie, rate, invoiced):
        before = audit_count()
        response = client_for(directie).post(TARIEVEN, {**NEW_RATE, "jaar": YEAR, "bedrag_per_inwoner": "0.4000"})
        params = invalid_params(response)
        assert set(params) == {"bedrag_per_inwoner"}
        assert params["bedrag_per_inwoner"]["reason"].startswith(f"Over {YEAR} is al contributie gefactureerd.")
        rate.refresh_from_db()
        assert rate.bedrag_per_inwoner == D("0.3500")
        assert audit_count() == before

    def test_a_negative_rate_is_refused_by_the_service(self, directie):
        params = invalid_params(client_for(directie).post(TARIEVEN, {**NEW_RATE, "bedrag_per_inwoner": "-0.0100"}))
        assert params["bedrag_per_inwoner"]["reason"] == "Het tarief kan niet negatief zijn."
        assert (ContributionRate.objects.count(), audit_count()) == (0, 0)

    def test_bad_input_is_a_400_naming_every_field_and_saves_nothing(self, directie):
        response = client_for(directie).post(
            TARIEVEN, {"jaar": "volgend", "bedrag_per_inwoner": "0.12345", "besluitdatum": "9-12-2026"}
        )
        params = invalid_params(response)
        assert set(params) == {"jaar", "bedrag_per_inwoner", "besluit", "besluitdatum"}
        assert params["jaar"]["reason"] == "Een geldig getal is vereist."
        assert params["besluit"]["code"] == "required"
        assert params["bedrag_per_inwoner"]["code"] == "max_decimal_places"
        assert "4 cijfers achter de komma" in params["bedrag_per_inwoner"]["reason"]
        assert (ContributionRate.objects.count(), audit_count()) == (0, 0)

    @pytest.mark.parametrize("who", ["eindhoven_user", "rvc", "manager"])
    def test_who_may_not_set_a_rate_in_the_portal_gets_a_403_and_nothing_is_saved(self, request, who):
        response = client_for(request.getfixturevalue(who)).post(TARIEVEN, NEW_RATE)
        body = assert_problem(response, 403)
        assert body["detail"] == "Alleen de directie legt contributietarieven vast."
        assert (ContributionRate.objects.count(), audit_count()) == (0, 0)

    def test_no_permission_is_a_403_before_any_validation(self, eindhoven_user):
        assert_problem(client_for(eindhoven_user).post(TARIEVEN, {"jaar": "x"}), 403)

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_changing_or_deleting_a_rate_is_a_405(self, directie, rate, method):
        response = getattr(client_for(directie), method)(f"{TARIEVEN}{YEAR}/", {**NEW_RATE, "jaar": YEAR})
        assert "met POST /api/v1/contributietarieven/" in assert_problem(response, 405)["detail"]
        rate.refresh_from_db()
        assert rate.bedrag_per_inwoner == D("0.3500")

    def test_a_session_write_without_csrf_is_refused(self, directie):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(directie)
        assert "CSRF-token" in assert_problem(client.post(TARIEVEN, NEW_RATE), 403)["detail"]
        assert ContributionRate.objects.count() == 0

    def test_a_real_token_header(self, directie):
        response = token_client(directie).post(TARIEVEN, NEW_RATE)
        assert response.status_code == 201, response.content
        assert AuditEvent.objects.get(action="contributie.tarief").actor == directie


# --- contributie per lid ------------------------------------------------------------------------


class TestContributie:
    def test_the_directie_sees_every_member_exact_to_the_cent(self, directie, eindhoven, woerden, invoiced):
        heusden = invoiced["heusden"].member
        response = client_for(directie).get(CONTRIBUTIE, {"jaar": YEAR})
        assert results(response) == [  # by name, as the directie's report
            {"lid": eindhoven.pk, "inwoners": 238_000, "maanden": 12, "bedrag": "83300.00"},
            {"lid": heusden.pk, "inwoners": 52_001, "maanden": 9, "bedrag": "13650.26"},
            {"lid": woerden.pk, "inwoners": 52_000, "maanden": 12, "bedrag": "18200.00"},
        ]
        assert b'"bedrag":"13650.26"' in response.content  # a JSON string, never a number

    def test_a_member_user_sees_only_its_own_member(self, eindhoven_user, woerden_user, eindhoven, woerden, invoiced):
        assert set(rows(client_for(eindhoven_user).get(CONTRIBUTIE, {"jaar": YEAR}))) == {eindhoven.pk}
        assert set(rows(client_for(woerden_user).get(CONTRIBUTIE, {"jaar": YEAR}))) == {woerden.pk}

    def test_a_member_cannot_widen_its_view_with_lid(self, eindhoven_user, woerden, invoiced):
        assert results(client_for(eindhoven_user).get(CONTRIBUTIE, {"jaar": YEAR, "lid": woerden.pk})) == []

    def test_staff_who_read_all_invoices_see_all_and_the_rvc_nothing(self, manager, rvc, invoiced):
        secretaris = with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))
        for user in (manager, secretaris):
            assert len(results(client_for(user).get(CONTRIBUTIE, {"jaar": YEAR}))) == 3
        assert results(client_for(rvc).get(CONTRIBUTIE, {"jaar": YEAR})) == []

    def test_a_user_with_roles_in_two_members_sees_both(self, eindhoven, woerden, invoiced):
        user = member_user(eindhoven, MemberRole.Role.ALV_VERTEGENWOORDIGER)
        membership_services.member_role_grant(user, woerden, MemberRole.Role.FINANCIEEL_CONTACT, by=Actor.system())
        assert set(rows(client_for(user).get(CONTRIBUTIE, {"jaar": YEAR}))) == {eindhoven.pk, woerden.pk}

    def test_a_credit_note_lowers_the_amount(self, directie, boss, eindhoven, invoiced):
        note = services.credit_note_create(
            invoiced["eindhoven"],
            by=boss,
            reden="Inwonertal gecorrigeerd",
            regels=[services.CreditLine("Correctie contributie", D("300.35"), "O", D("0.00"))],
        )
        services.invoice_finalise(note, by=boss, queue_documents=False)
        row = rows(client_for(directie).get(CONTRIBUTIE, {"jaar": YEAR}))[eindhoven.pk]
        assert row["bedrag"] == "82999.65"

    def test_a_year_without_invoices_is_empty_even_with_a_rate(self, directie, boss, invoiced):
        client = client_for(directie)
        assert results(client.get(CONTRIBUTIE, {"jaar": YEAR + 1})) == []
        services.contribution_rate_set(
            by=boss, jaar=YEAR + 1, bedrag_per_inwoner=D("0.36"), besluit="ALV", besluitdatum=date(YEAR, 12, 9)
        )
        assert results(client.get(CONTRIBUTIE, {"jaar": YEAR + 1})) == []  # as invoiced, never a forecast

    def test_lid_and_ordering(self, directie, eindhoven, woerden, invoiced):
        client = client_for(directie)
        assert list(rows(client.get(CONTRIBUTIE, {"jaar": YEAR, "lid": woerden.pk}))) == [woerden.pk]
        by_amount = [r["bedrag"] for r in results(client.get(CONTRIBUTIE, {"jaar": YEAR, "ordering": "-bedrag"}))]
        assert by_amount == ["83300.00", "18200.00", "13650.26"]
        assert [r["bedrag"] for r in results(client.get(CONTRIBUTIE, {"jaar": YEAR, "ordering": "bedrag"}))] == (
            by_amount[::-1]
        )
        by_name = [r["lid"] for r in results(client.get(CONTRIBUTIE, {"jaar": YEAR, "ordering": "-naam"}))]
        assert by_name == [woerden.pk, invoiced["heusden"].member_id, eindhoven.pk]

    def test_jaar_is_required_and_every_parameter_validated(self, directie, invoiced):
        client = client_for(directie)
        assert invalid_params(client.get(CONTRIBUTIE))["jaar"]["code"] == "required"
        params = invalid_params(client.get(CONTRIBUTIE, {"jaar": "dit", "lid": "nul", "ordering": "inwoners"}))
        assert set(params) == {"jaar", "lid", "ordering"}
        assert params["jaar"]["reason"] == "Een geldig getal is vereist."

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_are_405(self, directie, invoiced, method):
        response = getattr(client_for(directie), method)(CONTRIBUTIE, {"jaar": YEAR})
        assert assert_problem(response, 405)["detail"].startswith("De contributie is via de API alleen te lezen")

    def test_unauthenticated_is_a_401_problem(self, invoiced):
        assert_problem(APIClient().get(CONTRIBUTIE, {"jaar": YEAR}), 401)
        assert_problem(APIClient().get(TARIEVEN), 401)
        assert_problem(APIClient().post(TARIEVEN, NEW_RATE), 401)
        assert ContributionRate.objects.count() == 1

    def test_a_real_token_header(self, eindhoven_user, eindhoven, invoiced):
        response = token_client(eindhoven_user).get(CONTRIBUTIE, {"jaar": YEAR})
        assert results(response) == [{"lid": eindhoven.pk, "inwoners": 238_000, "maanden": 12, "bedrag": "83300.00"}]


# --- query budget and schema ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["directie", "eindhoven_user"])
def test_the_contributie_costs_the_same_queries_for_3_and_15_members(
    request, who, eindhoven, rate, boss, django_assert_max_num_queries
):
    client = token_client(request.getfixturevalue(who))

    def invoice(n):
        for _ in range(n):
            member = MemberFactory()
            RepresentationFactory(member=member)
            services.contribution_invoice(billable(member, 10_000), rate, by=boss)

    services.contribution_invoice(billable(eindhoven, 238_000), rate, by=boss)
    invoice(2)
    client.get(CONTRIBUTIE, {"jaar": YEAR})  # the key's "laatst gebruikt" is written once a minute
    with CaptureQueriesContext(connection) as three:
        small = results(client.get(CONTRIBUTIE, {"jaar": YEAR}))
    invoice(12)
    with django_assert_max_num_queries(len(three)):
        large = results(client.get(CONTRIBUTIE, {"jaar": YEAR}))
    expected = {"directie": (3, 15), "eindhoven_user": (1, 1)}[who]
    assert (len(small), len(large)) == expected
    assert len(three) <= 6  # token+user, permissions, (guardian lookup), the report


def test_the_tarieven_cost_the_same_queries_for_3_and_30_years(eindhoven_user, django_assert_max_num_queries):
    client = token_client(eindhoven_user)

    def add(years):
        for jaar in years:
            ContributionRate.objects.create(
                jaar=jaar, bedrag_per_inwoner=D("0.35"), besluit="ALV", besluitdatum=date(jaar - 1, 12, 1)
            )

    add(range(2001, 2004))
    client.get(TARIEVEN)
    with CaptureQueriesContext(connection) as three:
        assert len(results(client.get(TARIEVEN))) == 3
    add(range(2004, 2031))
    with django_assert_max_num_queries(len(three)):
        assert len(results(client.get(TARIEVEN))) == 30
    assert len(three) <= 3  # token+user, count, page


def test_the_schema_is_dutch_with_one_write(capsys):
    spec = schema(capsys)
    components = spec["components"]["schemas"]
    assert_described(components["Contributietarief"], TARIEF_FIELDS)
    assert_described(components["Contributie"], FIELDS)
    assert components["Contributie"]["properties"]["bedrag"]["type"] == "string"
    assert components["Contributietarief"]["properties"]["bedrag_per_inwoner"]["type"] == "string"
    methods = {p: set(v) for p, v in spec["paths"].items() if p.startswith(("/api/v1/contributie",))}
    assert methods == {TARIEVEN: {"get", "post"}, f"{TARIEVEN}{{jaar}}/": {"get"}, CONTRIBUTIE: {"get"}}
    post = spec["paths"][TARIEVEN]["post"]
    assert set(post["responses"]) >= {"200", "201", "400", "401", "403"}
    jaar = next(p for p in spec["paths"][CONTRIBUTIE]["get"]["parameters"] if p["name"] == "jaar")
    assert jaar["required"] is True and jaar["description"]
