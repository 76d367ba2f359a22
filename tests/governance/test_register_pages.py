"""Pages of the registers through the test client: nevenfuncties (flagged
when reported late; one's own or, for managers, anyone's), tegenstrijdige
belangen, and contracts with the RvC's prior approval before signing;
permissions, audit events and query budgets."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from governance import services
from governance.models import Body, ConflictOfInterest, Contract, Decision, SideActivity
from tests.conftest import login, with_totp
from tests.factories import UserFactory

SYSTEM = Actor.system()
TODAY = date(2026, 9, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def secretaris(db):
    return with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))


@pytest.fixture
def commissaris(rvc):
    """The RvC user, linked to their Person so they report for themself."""
    services.person_create(by=SYSTEM, naam="Anna Aalders", geboortedatum=date(1970, 1, 1), user=rvc)
    return rvc


@pytest.fixture
def bram():
    return services.person_create(by=SYSTEM, naam="Bram Bakker", geboortedatum=date(1965, 6, 1))


def contract(bedrag="75000.00", omschrijving="Hosting Zaaksysteem"):
    return services.contract_create(
        by=SYSTEM, omschrijving=omschrijving, wederpartij="Hoster B.V.", bedrag=Decimal(bedrag)
    )


# --- who may see and do what ----------------------------------------------------------


def test_a_member_user_gets_403_on_every_page_and_post(eindhoven_user, bram):
    large = contract()
    client = login(eindhoven_user)
    pages = [
        "/governance/registers/nevenfuncties/",
        "/governance/registers/tegenstrijdige-belangen/",
        "/governance/registers/contracten/",
        f"/governance/registers/contracten/{large.pk}/",
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    posts = {
        "/governance/registers/nevenfuncties/": {
            "persoon": bram.pk,
            "functie": "Lid raad van toezicht",
            "organisatie": "Stichting X",
            "ingangsdatum": "2026-09-01",
        },
        "/governance/registers/tegenstrijdige-belangen/": {"persoon": bram.pk, "onderwerp": "Hosting"},
        "/governance/registers/contracten/": {"omschrijving": "X", "wederpartij": "Y", "bedrag": "10.00"},
        f"/governance/registers/contracten/{large.pk}/goedkeuren/": {"kenmerk": "RvC-1", "datum": "2026-09-01"},
        f"/governance/registers/contracten/{large.pk}/tekenen/": {"getekend_op": "2026-09-10"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert (SideActivity.objects.count(), ConflictOfInterest.objects.count(), Contract.objects.count()) == (0, 0, 1)
    large.refresh_from_db()
    assert large.status == Contract.Status.CONCEPT


def test_the_directie_cannot_approve_a_contract(directie):
    large = contract()
    client = login(directie)
    page = client.get(f"/governance/registers/contracten/{large.pk}/").content.decode()
    assert "goedkeuren/" not in page
    response = client.post(f"/governance/registers/contracten/{large.pk}/goedkeuren/", {"kenmerk": "RvC-1"})
    assert response.status_code == 403
    large.refresh_from_db()
    assert (large.status, large.rvc_besluit) == (Contract.Status.CONCEPT, None)
    assert not Decision.objects.exists()


def test_the_rvc_and_the_secretaris_cannot_sign_or_create_contracts(rvc, secretaris):
    small = contract("20000.00")
    for user in (rvc, secretaris):
        client = login(user)
        page = client.get(f"/governance/registers/contracten/{small.pk}/").content.decode()
        assert "tekenen/" not in page
        response = client.post(f"/governance/registers/contracten/{small.pk}/tekenen/", {"getekend_op": "2026-09-10"})
        assert response.status_code == 403
        assert "Contract vastleggen" not in client.get("/governance/registers/contracten/").content.decode()
        response = client.post(
            "/governance/registers/contracten/", {"omschrijving": "X", "wederpartij": "Y", "bedrag": "10.00"}
        )
        assert response.status_code == 403
    small.refresh_from_db()
    assert small.status == Contract.Status.CONCEPT
    assert Contract.objects.count() == 1


# --- nevenfuncties ---------------------------------------------------------------------


def test_a_manager_reports_for_anyone_and_a_late_report_is_flagged(secretaris, bram):
    client = login(secretaris)
    late = {
        "persoon": bram.pk,
        "functie": "Voorzitter raad van toezicht",
        "organisatie": "Woningcorporatie Thuis",
        "bezoldigd": "on",
        "ingangsdatum": "2026-05-01",
        "gemeld_op": "2026-06-02",  # a month and a day later
    }
    response = client.post("/governance/registers/nevenfuncties/", late)
    assert response.status_code == 302
    in_time = {
        "persoon": bram.pk,
        "functie": "Penningmeester",
        "organisatie": "Sportclub Bal",
        "ingangsdatum": "2026-05-01",
        "gemeld_op": "2026-06-01",  # exactly a month: in time
    }
    assert client.post("/governance/registers/nevenfuncties/", in_time).status_code == 302
    activity = SideActivity.objects.get(functie="Voorzitter raad van toezicht")
    assert (activity.person, activity.bezoldigd, activity.reported_late) == (bram, True, True)
    events = AuditEvent.objects.filter(action="governance.side_activity_report", actor=secretaris)
    assert events.count() == 2 and events.first().data["te_laat"] is True

    page = client.get("/governance/registers/nevenfuncties/").content.decode()
    assert "De nevenfunctie van Bram Bakker is vastgelegd." in page
    rows = page.split("<tbody")[1]
    late_row = rows[rows.index("Voorzitter raad van toezicht") :]
    late_row = late_row[: late_row.index("</tr>")]
    assert "Nee, te laat gemeld" in late_row and "02-06-2026" in late_row and "sinds 01-05-2026" in late_row
    on_time_row = rows[rows.index("Penningmeester") :]
    on_time_row = on_time_row[: on_time_row.index("</tr>")]
    assert "te laat" not in on_time_row and ">Ja<" in on_time_row
    assert rows.count("Nee, te laat gemeld") == 1


def test_a_commissaris_reports_their_own_side_activity(commissaris, bram):
    client = login(commissaris)
    page = client.get("/governance/registers/nevenfuncties/").content.decode()
    assert "U meldt dit voor uzelf (Anna Aalders)." in page
    assert 'name="persoon"' not in page and 'name="gemeld_op"' not in page
    response = client.post(
        "/governance/registers/nevenfuncties/",
        # A person field sent anyway is ignored: one reports only for oneself.
        {"persoon": bram.pk, "functie": "Adviseur", "organisatie": "Gemeente Y", "ingangsdatum": "2026-06-01"},
    )
    assert response.status_code == 302
    activity = SideActivity.objects.get()
    assert (activity.person.naam, activity.gemeld_op, activity.reported_late) == ("Anna Aalders", TODAY, True)
    assert AuditEvent.objects.get(action="governance.side_activity_report").actor == commissaris


def test_a_commissaris_without_a_person_cannot_report(rvc, bram):
    client = login(rvc)
    page = client.get("/governance/registers/nevenfuncties/")
    assert page.status_code == 200 and "Nevenfunctie melden" not in page.content.decode()
    response = client.post(
        "/governance/registers/nevenfuncties/",
        {"persoon": bram.pk, "functie": "Adviseur", "organisatie": "Y", "ingangsdatum": "2026-06-01"},
    )
    assert response.status_code == 403
    assert not SideActivity.objects.exists()


def test_bad_side_activity_input_is_refused_on_the_form(secretaris, bram):
    client = login(secretaris)
    response = client.post(
        "/governance/registers/nevenfuncties/",
        {
            "persoon": bram.pk,
            "functie": "Adviseur",
            "organisatie": "Y",
            "ingangsdatum": "2026-06-01",
            "einddatum": "2026-05-01",
        },
    )
    assert response.status_code == 200
    assert "De einddatum ligt vóór de ingangsdatum." in response.content.decode()
    response = client.post(
        "/governance/registers/nevenfuncties/",
        {
            "persoon": bram.pk,
            "functie": "Adviseur",
            "organisatie": "Y",
            "ingangsdatum": "2026-06-01",
            "gemeld_op": "2026-12-01",
        },
    )
    assert "De meldingsdatum kan niet in de toekomst liggen." in response.content.decode()
    assert not SideActivity.objects.exists()


# --- tegenstrijdige belangen and contracts ----------------------------------------------


def test_a_declared_conflict_keeps_the_commissaris_from_approving(commissaris):
    large = contract()
    client = login(commissaris)
    response = client.post(
        "/governance/registers/tegenstrijdige-belangen/",
        {"onderwerp": "Hostingcontract", "contract": large.pk, "toelichting": "Mijn broer werkt bij Hoster."},
    )
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.person.naam, conflict.contract, conflict.gemeld_op) == ("Anna Aalders", large, TODAY)
    assert AuditEvent.objects.filter(action="governance.conflict_declare", actor=commissaris).exists()
    register = client.get("/governance/registers/tegenstrijdige-belangen/").content.decode()
    assert "Hostingcontract" in register and "Hosting Zaaksysteem" in register and "15-09-2026" in register
    page = client.get(f"/governance/registers/contracten/{large.pk}/").content.decode()
    assert "Anna Aalders, gemeld op 15-09-2026" in page

    response = client.post(
        f"/governance/registers/contracten/{large.pk}/goedkeuren/",
        {"kenmerk": "RvC-2026-08", "datum": "2026-09-14"},
        follow=True,
    )
    assert "U heeft een tegenstrijdig belang gemeld bij dit contract en besluit er niet over." in (
        response.content.decode()
    )
    large.refresh_from_db()
    assert large.status == Contract.Status.CONCEPT and not Decision.objects.exists()


def test_a_conflict_needs_a_subject(secretaris, bram):
    response = login(secretaris).post(
        "/governance/registers/tegenstrijdige-belangen/", {"persoon": bram.pk, "onderwerp": "   "}
    )
    assert response.status_code == 200
    assert not ConflictOfInterest.objects.exists()


def test_a_large_contract_is_signed_only_after_rvc_approval(directie, commissaris):
    rvc = commissaris  # an RvC user linked to their Person: the conflict check needs it
    boss = login(directie)
    response = boss.post(
        "/governance/registers/contracten/",
        {"omschrijving": "Hosting Zaaksysteem", "wederpartij": "Hoster B.V.", "bedrag": "75000.00"},
    )
    large = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/governance/registers/contracten/{large.pk}/"
    page = boss.get(response["Location"]).content.decode()
    assert "€ 75.000,00" in page
    assert "Dit contract heeft vooraf de goedkeuring van de RvC nodig." in page
    assert "tekenen/" not in page  # no form that can only be refused

    # Signing before approval, through the endpoint, is refused with a message.
    response = boss.post(
        f"/governance/registers/contracten/{large.pk}/tekenen/", {"getekend_op": "2026-09-10"}, follow=True
    )
    assert (
        "Status: Een contract van € 75.000,00 heeft vooraf de goedkeuring van de RvC nodig; "
        "die is nog niet vastgelegd." in response.content.decode()
    )
    large.refresh_from_db()
    assert (large.status, large.getekend_op) == (Contract.Status.CONCEPT, None)

    # The RvC approves.
    supervisor = login(rvc)
    page = supervisor.get(f"/governance/registers/contracten/{large.pk}/").content.decode()
    assert "Goedkeuren namens de RvC" in page and "tekenen/" not in page
    response = supervisor.post(
        f"/governance/registers/contracten/{large.pk}/goedkeuren/",
        {"kenmerk": "RvC-2026-08", "datum": "2026-09-12", "toelichting": "Na offertevergelijking."},
        follow=True,
    )
    assert "De RvC heeft het contract Hosting Zaaksysteem goedgekeurd." in response.content.decode()
    large.refresh_from_db()
    assert large.status == Contract.Status.GOEDGEKEURD
    assert (large.rvc_besluit.kenmerk, large.rvc_besluit.datum, large.rvc_besluit.body.soort) == (
        "RvC-2026-08",
        date(2026, 9, 12),
        "rvc",
    )
    assert "Besluit RvC-2026-08 van 12-09-2026" in response.content.decode()

    # Signed before the approval date: refused at the date.
    response = boss.post(
        f"/governance/registers/contracten/{large.pk}/tekenen/", {"getekend_op": "2026-09-11"}, follow=True
    )
    assert "Getekend op: Het contract kan niet getekend zijn vóór de goedkeuring van de RvC (12-09-2026)." in (
        response.content.decode()
    )
    response = boss.post(
        f"/governance/registers/contracten/{large.pk}/tekenen/", {"getekend_op": "2026-09-14"}, follow=True
    )
    assert "Het contract Hosting Zaaksysteem is als getekend vastgelegd." in response.content.decode()
    large.refresh_from_db()
    assert (large.status, large.getekend_op) == (Contract.Status.GETEKEND, date(2026, 9, 14))

    actions = list(
        AuditEvent.objects.exclude(action="governance.person_create").order_by("id").values_list("action", "actor")
    )
    assert actions == [
        ("governance.contract_create", directie.pk),
        ("governance.decision_record", rvc.pk),
        ("governance.contract_approve", rvc.pk),
        ("governance.contract_sign", directie.pk),
    ]
    # Signed once: again is refused.
    response = boss.post(
        f"/governance/registers/contracten/{large.pk}/tekenen/", {"getekend_op": "2026-09-15"}, follow=True
    )
    assert "Dit contract is al getekend op 14-09-2026." in response.content.decode()


def test_approving_with_a_used_decision_number_names_the_field(commissaris):
    rvc = commissaris
    rvc_body = Body.objects.get(soort=Body.Kind.RVC)
    services.decision_record(by=SYSTEM, body=rvc_body, kenmerk="RvC-2026-08", datum=TODAY, onderwerp="X")
    large = contract()
    response = login(rvc).post(
        f"/governance/registers/contracten/{large.pk}/goedkeuren/",
        {"kenmerk": "RvC-2026-08", "datum": "2026-09-12"},
        follow=True,
    )
    assert "Kenmerk van het RvC-besluit: Er is al een besluit met kenmerk RvC-2026-08." in response.content.decode()
    large.refresh_from_db()
    assert large.status == Contract.Status.CONCEPT


def test_an_unlinked_commissaris_is_told_and_cannot_approve(rvc):
    """Regression (review): without a linked Person a declared conflict of
    interest could not be checked, so the approval is refused."""
    large = contract()
    client = login(rvc)
    page = client.get(f"/governance/registers/contracten/{large.pk}/").content.decode()
    assert "Uw account is niet gekoppeld aan een commissaris; vraag de secretaris dat te doen." in page
    assert "goedkeuren/" not in page  # no form that can only be refused
    response = client.post(
        f"/governance/registers/contracten/{large.pk}/goedkeuren/",
        {"kenmerk": "RvC-2026-08", "datum": "2026-09-12"},
        follow=True,
    )
    assert "Uw account is niet gekoppeld aan een commissaris; vraag de secretaris dat te doen." in (
        response.content.decode()
    )
    large.refresh_from_db()
    assert large.status == Contract.Status.CONCEPT and not Decision.objects.exists()


def test_dates_in_the_future_are_refused(directie, commissaris):
    """Regression (review): an approval or a signature dated after today."""
    large = contract()
    response = login(commissaris).post(
        f"/governance/registers/contracten/{large.pk}/goedkeuren/",
        {"kenmerk": "RvC-2027-01", "datum": "2026-09-16"},
        follow=True,
    )
    assert "Datum van het besluit: De datum van de goedkeuring kan niet in de toekomst liggen." in (
        response.content.decode()
    )
    large.refresh_from_db()
    assert large.status == Contract.Status.CONCEPT and not Decision.objects.exists()
    small = contract("1000.00", "Licentie")
    response = login(directie).post(
        f"/governance/registers/contracten/{small.pk}/tekenen/", {"getekend_op": "2026-09-16"}, follow=True
    )
    assert "Getekend op: Een contract kan pas als getekend worden vastgelegd als het getekend is." in (
        response.content.decode()
    )
    small.refresh_from_db()
    assert (small.status, small.getekend_op) == (Contract.Status.CONCEPT, None)


def test_a_small_contract_is_signed_without_approval(directie):
    small = contract("50000.00", "Licentie kantoorsoftware")
    client = login(directie)
    page = client.get(f"/governance/registers/contracten/{small.pk}/").content.decode()
    assert "Niet nodig (tot en met € 50.000,00)" in page and "tekenen/" in page
    response = client.post(
        f"/governance/registers/contracten/{small.pk}/tekenen/", {"getekend_op": "2026-09-10"}, follow=True
    )
    small.refresh_from_db()
    assert small.status == Contract.Status.GETEKEND
    assert "is als getekend vastgelegd" in response.content.decode()


def test_a_contract_needs_a_positive_value(directie):
    response = login(directie).post(
        "/governance/registers/contracten/", {"omschrijving": "X", "wederpartij": "Y", "bedrag": "0"}
    )
    assert response.status_code == 200
    assert not Contract.objects.exists()


# --- query budgets -----------------------------------------------------------------------------


def test_the_register_pages_keep_their_query_budget(directie, bram, django_assert_max_num_queries):
    people = [bram] + [services.person_create(by=SYSTEM, naam=f"Persoon {i}") for i in range(4)]
    for i, person in enumerate(people * 3):
        services.side_activity_report(
            by=SYSTEM,
            person=person,
            functie=f"Functie {i}",
            organisatie=f"Organisatie {i}",
            ingangsdatum=date(2026, 1, 1 + i),
            gemeld_op=date(2026, 3, 1),
        )
    contracts = [contract(f"{(i + 1) * 20000}.00", f"Contract {i}") for i in range(6)]
    for i, item in enumerate(contracts[:4]):
        if item.needs_approval:
            services.contract_approve(by=SYSTEM, contract=item, kenmerk=f"RvC-{i}", datum=date(2026, 9, 1))
        services.contract_sign(by=SYSTEM, contract=item, getekend_op=date(2026, 9, 2))
    for person in people:
        services.conflict_declare(by=SYSTEM, person=person, onderwerp="Contract 5", contract=contracts[5])
    client = login(directie)
    client.get("/governance/registers/contracten/")  # warm the session
    with django_assert_max_num_queries(10):
        page = client.get("/governance/registers/nevenfuncties/")
    assert page.content.decode().count("Nee, te laat gemeld") == 15
    with django_assert_max_num_queries(9):
        page = client.get("/governance/registers/contracten/")
    assert page.content.decode().count("/governance/registers/contracten/") >= 6
    with django_assert_max_num_queries(12):
        page = client.get("/governance/registers/tegenstrijdige-belangen/")
    assert page.content.decode().count("Persoon ") >= 4
    with django_assert_max_num_queries(10):
        assert client.get(f"/governance/registers/contracten/{contracts[5].pk}/").status_code == 200
