"""Pages of the bodies through the test client: the organen with their
warnings, a body with its mandates and rooster van aftreden, appointing in
one step (a refused appointment leaves no new person or decision behind),
ending a mandate, the decisions, permissions and query budgets."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from governance import services
from governance.forms_bodies import appointing_body
from governance.models import Body, Decision, Mandate, Person
from tests.conftest import login, with_totp
from tests.factories import UserFactory

SYSTEM = Actor.system()
TODAY = date(2026, 9, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The pages and services read 'today' from timezone.localdate()."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def secretaris(db):
    return with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))


@pytest.fixture
def rvc_body():
    return Body.objects.get(soort=Body.Kind.RVC)


@pytest.fixture
def directie_body():
    return Body.objects.get(soort=Body.Kind.DIRECTIE)


def decide(body, kenmerk, datum=date(2026, 1, 10)):
    return services.decision_record(by=SYSTEM, body=body, kenmerk=kenmerk, datum=datum, onderwerp="Benoeming")


def seat(body, naam, start, *, born=date(1970, 1, 1), functie="lid", person=None, einddatum=None, **kwargs):
    """Appointed by a decision of the body that appoints to `body` (the ALV
    for the RvC, the RvC for the directie and the committees)."""
    person = person or services.person_create(by=SYSTEM, naam=naam, geboortedatum=born)
    return services.mandate_appoint(
        by=SYSTEM,
        body=body,
        person=person,
        functie=functie,
        ingangsdatum=start,
        einddatum=einddatum,
        besluit=decide(appointing_body(body), f"{body.slug}-{person.pk}-{start:%Y%m%d}-{functie}"),
        **kwargs,
    )


def counts():
    return Mandate.objects.count(), Person.objects.count(), Decision.objects.count()


def audit_actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- who may see and do what ---------------------------------------------------------


def test_a_member_user_gets_403_on_every_page_and_post(eindhoven_user, rvc_body):
    mandate = seat(rvc_body, "Anna Aalders", date(2025, 1, 1))
    client = login(eindhoven_user)
    for url in (
        "/governance/organen/",
        "/governance/organen/rvc/",
        "/governance/organen/alv/",
        "/governance/besluiten/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/governance/organen/rvc/benoemen/").status_code == 403
    posts = {
        "/governance/organen/rvc/benoemen/": {"naam": "X", "functie": "lid", "ingangsdatum": "2026-10-01"},
        f"/governance/mandaten/{mandate.pk}/beeindigen/": {"datum": "2026-09-15", "reden": "Vertrek"},
        "/governance/besluiten/": {"orgaan": rvc_body.pk, "kenmerk": "X-1", "datum": "2026-09-01", "onderwerp": "X"},
    }
    before = counts()
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert counts() == before
    mandate.refresh_from_db()
    assert mandate.beeindigd_op is None


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get("/governance/organen/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_rvc_sees_the_bodies_but_cannot_appoint_or_end(rvc, rvc_body):
    mandate = seat(rvc_body, "Anna Aalders", date(2025, 1, 1))
    client = login(rvc)
    page = client.get("/governance/organen/rvc/")
    assert page.status_code == 200
    assert "Anna Aalders" in page.content.decode()
    assert "benoemen/" not in page.content.decode()
    assert "beeindigen/" not in page.content.decode()
    assert client.get("/governance/organen/rvc/benoemen/").status_code == 403
    before = counts()
    response = client.post(
        "/governance/organen/rvc/benoemen/",
        {"naam": "Bea Boer", "geboortedatum": "1980-01-01", "functie": "lid", "ingangsdatum": "2026-10-01"},
    )
    assert response.status_code == 403
    assert counts() == before
    response = client.post(f"/governance/mandaten/{mandate.pk}/beeindigen/", {"datum": "2026-09-15", "reden": "X"})
    assert response.status_code == 403
    assert client.post("/governance/besluiten/", {}).status_code == 403


# --- the bodies ---------------------------------------------------------------------------


def test_the_bodies_list_shows_size_and_warnings(secretaris, rvc_body, eindhoven):
    seat(rvc_body, "Anna Aalders", date(2025, 1, 1), functie="voorzitter")
    seat(rvc_body, "Bram Bakker", date(2025, 1, 1))
    page = login(secretaris).get(reverse("governance:bodies")).content.decode()
    assert "Raad van commissarissen heeft 2 leden; het minimum is 3." in page
    assert "Directie heeft 0 leden; het minimum is 2." in page
    assert "De directie heeft geen algemeen directeur." in page
    assert "1 actief lid" in page  # the ALV: Eindhoven
    assert "2 leden" in page
    assert "Let op:" in page  # warnings say so in words, not only in colour


def test_the_alv_page_counts_the_active_members_and_links_the_register(rvc, eindhoven, woerden):
    page = login(rvc).get("/governance/organen/alv/").content.decode()
    assert "nu 2 leden" in page
    assert f'href="{reverse("membership:list")}"' in page
    assert "benoemen/" not in page


def test_the_rooster_van_aftreden_in_order_with_end_dates_and_reasons(rvc, rvc_body):
    carla = services.person_create(by=SYSTEM, naam="Carla Claes", geboortedatum=date(1970, 5, 5))
    for start in (date(2015, 1, 1), date(2019, 1, 1), date(2023, 1, 1)):
        seat(rvc_body, "", start, person=carla)
    seat(rvc_body, "Bram Bakker", date(2023, 7, 1))
    seat(rvc_body, "Anna Aalders", date(2024, 4, 1), functie="voorzitter")
    seat(rvc_body, "Daan Dekker", date(2025, 1, 1), born=date(1958, 3, 1))

    page = login(rvc).get("/governance/organen/rvc/").content.decode()
    rooster = page.split('id="rooster"')[1]
    rows = [rooster.index(name) for name in ("Carla Claes", "Bram Bakker", "Anna Aalders", "Daan Dekker")]
    assert rows == sorted(rows)
    ends = [rooster.index(day) for day in ("31-12-2026", "30-06-2027", "31-03-2028", "31-12-2028")]
    assert ends == sorted(ends)
    carla_row = rooster[rows[0] : rows[1]]
    assert "Loopt binnen 6 maanden af" in carla_row
    assert "Nee</strong>: Carla Claes had al 3 termijnen" in carla_row
    assert ">Ja<" in rooster[rows[1] : rows[2]]  # Bram: a second term is fine
    daan_row = rooster[rows[3] :]
    assert "Nee</strong>: De termijn van Daan Dekker zou lopen tot 31-12-2032" in daan_row
    assert "01-03-2030" in daan_row  # the 72nd birthday
    assert rooster.count("Loopt binnen 6 maanden af") == 1
    assert "De termijn van Carla Claes loopt af op 31-12-2026, binnen 6 maanden." in page


def test_the_directie_has_no_rooster_and_shows_indefinite_terms(secretaris, directie_body):
    seat(directie_body, "Erik Evers", date(2024, 1, 1), functie="algemeen-directeur")
    seat(directie_body, "Fatima Faber", date(2024, 1, 1), functie="directeur")
    page = login(secretaris).get("/governance/organen/directie/").content.decode()
    assert 'id="rooster"' not in page
    assert "onbepaalde tijd" in page
    assert "Algemeen directeur" in page
    assert "Let op" not in page


def test_adding_a_committee_of_the_rvc(secretaris, rvc, rvc_body):
    client = login(secretaris)
    response = client.post(
        "/governance/organen/",
        {"soort": "commissie", "naam": "Auditcommissie", "slug": "auditcommissie", "minimum": 2, "maximum": 3},
    )
    assert response.status_code == 302 and response["Location"] == "/governance/organen/auditcommissie/"
    committee = Body.objects.get(slug="auditcommissie")
    assert (committee.parent, committee.minimum, committee.maximum) == (rvc_body, 2, 3)
    assert AuditEvent.objects.filter(action="governance.body_create", actor=secretaris).exists()
    page = client.get("/governance/organen/auditcommissie/").content.decode()
    assert "Commissie van Raad van commissarissen" not in page  # that is the list's wording
    assert 'id="rooster"' in page  # committee members serve terms
    assert "Auditcommissie heeft 0 leden; het minimum is 2." in page
    again = client.post(
        "/governance/organen/",
        {"soort": "commissie", "naam": "auditcommissie", "slug": "audit-2", "minimum": 0},
    )
    assert again.status_code == 200 and "Er is al een orgaan auditcommissie." in again.content.decode()
    assert "Auditcommissie" in login(rvc).get("/governance/organen/rvc/").content.decode()
    assert login(rvc).post("/governance/organen/", {"soort": "commissie"}).status_code == 403
    assert "Orgaan toevoegen" not in login(rvc).get("/governance/organen/").content.decode()


# --- appointing -------------------------------------------------------------------------------


def appoint_data(**overrides):
    data = {
        "naam": "Anna de Vries",
        "geboortedatum": "1975-03-02",
        "functie": "voorzitter",
        "ingangsdatum": "2026-10-01",
        "kenmerk": "ALV-2026-05",
        "besluitdatum": "2026-09-10",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_appointing_a_new_commissaris_with_a_new_decision(directie, rvc_body):
    client = login(directie)
    response = client.post("/governance/organen/rvc/benoemen/", appoint_data())
    assert response.status_code == 302 and response["Location"] == "/governance/organen/rvc/"
    mandate = Mandate.objects.select_related("person", "besluit").get()
    assert (mandate.person.naam, mandate.person.geboortedatum) == ("Anna de Vries", date(1975, 3, 2))
    assert (mandate.functie, mandate.termijn) == ("voorzitter", 1)
    assert (mandate.ingangsdatum, mandate.einddatum) == (date(2026, 10, 1), date(2030, 9, 30))  # derived
    # Commissarissen are appointed by the ALV: the new decision is the ALV's.
    assert mandate.besluit.kenmerk == "ALV-2026-05" and mandate.besluit.body.soort == Body.Kind.ALV
    assert mandate.besluit.onderwerp == "Benoeming van Anna de Vries tot voorzitter van Raad van commissarissen"
    assert mandate.besluit.vastgelegd_door == directie
    assert audit_actions() == [
        "governance.person_create",
        "governance.decision_record",
        "governance.mandate_appoint",
    ]
    assert AuditEvent.objects.filter(actor=directie).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Anna de Vries is benoemd tot voorzitter (termijn 1)." in page


def test_the_appoint_form_for_the_rvc_has_no_end_date(secretaris):
    page = login(secretaris).get("/governance/organen/rvc/benoemen/").content.decode()
    assert 'name="einddatum"' not in page
    assert 'value="voorzitter"' in page and 'value="algemeen-directeur"' not in page
    page = login(secretaris).get("/governance/organen/directie/benoemen/").content.decode()
    assert 'name="einddatum"' in page and 'value="algemeen-directeur"' in page


def test_appointing_an_existing_person_with_an_existing_decision_in_the_directie(secretaris, directie_body):
    person = services.person_create(by=SYSTEM, naam="Erik Evers")
    besluit = decide(Body.objects.get(soort="rvc"), "RvC-2026-03")
    own = decide(directie_body, "DIR-2026-01")
    client = login(secretaris)
    page = client.get("/governance/organen/directie/benoemen/").content.decode()
    assert "Benoemingen in Directie gebeuren bij besluit van Raad van commissarissen" in page
    assert "RvC-2026-03" in page and "DIR-2026-01" not in page
    response = client.post(
        "/governance/organen/directie/benoemen/",
        {
            "persoon": person.pk,
            "functie": "algemeen-directeur",
            "ingangsdatum": "2026-10-01",
            "einddatum": "2030-12-31",
            "besluit": besluit.pk,
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert (mandate.person, mandate.besluit, mandate.einddatum) == (person, besluit, date(2030, 12, 31))
    assert Person.objects.count() == 1
    # Only the appointing body's decisions can be chosen: the RvC appoints the directie.
    response = client.post(
        "/governance/organen/directie/benoemen/",
        {"persoon": person.pk, "functie": "directeur", "ingangsdatum": "2026-10-01", "besluit": own.pk},
    )
    assert response.status_code == 200
    assert Mandate.objects.count() == 1


def test_the_appoint_page_names_the_appointing_body_and_records_its_decision(secretaris, rvc_body):
    """Regression (review): a commissaris's new decision was recorded as an
    RvC decision; the ALV appoints the commissarissen."""
    own = decide(rvc_body, "RvC-2026-01")
    alv_decision = decide(Body.objects.get(soort="alv"), "ALV-2026-01")
    client = login(secretaris)
    page = client.get("/governance/organen/rvc/benoemen/").content.decode()
    assert "gebeuren bij besluit van Algemene ledenvergadering" in page
    assert "De ALV benoemt de commissarissen op voordracht van de RvC." in page
    assert "ALV-2026-01" in page and "RvC-2026-01" not in page
    response = client.post("/governance/organen/rvc/benoemen/", appoint_data(functie="lid", kenmerk="ALV-2026-09"))
    assert response.status_code == 302
    decision = Decision.objects.get(kenmerk="ALV-2026-09")
    assert decision.body.soort == Body.Kind.ALV
    assert Mandate.objects.get().besluit == decision
    # An RvC decision cannot be chosen for a commissaris.
    response = client.post(
        "/governance/organen/rvc/benoemen/",
        appoint_data(naam="Bea Boer", functie="lid", kenmerk=None, besluitdatum=None, besluit=own.pk),
    )
    assert response.status_code == 200 and Mandate.objects.count() == 1
    # A committee is appointed by the RvC; a community board by itself.
    services.body_create(by=SYSTEM, soort="commissie", naam="Auditcommissie", slug="audit", parent=rvc_body)
    page = client.get("/governance/organen/audit/benoemen/").content.decode()
    assert "gebeuren bij besluit van Raad van commissarissen" in page
    assert "RvC-2026-01" in page and "ALV-2026-01" not in page
    assert alv_decision.body.soort == Body.Kind.ALV


def test_a_shorter_term_in_years(secretaris):
    page = login(secretaris).get("/governance/organen/rvc/benoemen/").content.decode()
    assert 'name="jaren"' in page and "Termijn (jaren)" in page
    assert 'name="jaren" value="4" min="1" max="4"' in page
    response = login(secretaris).post("/governance/organen/rvc/benoemen/", appoint_data(functie="lid", jaren="2"))
    assert response.status_code == 302
    assert Mandate.objects.get().einddatum == date(2028, 9, 30)
    for wrong in ("0", "5"):
        response = login(secretaris).post(
            "/governance/organen/rvc/benoemen/", appoint_data(naam="Bea Boer", functie="lid", jaren=wrong)
        )
        assert response.status_code == 200 and Mandate.objects.count() == 1
    # The directie has no terms: no years to choose.
    assert 'name="jaren"' not in login(secretaris).get("/governance/organen/directie/benoemen/").content.decode()


def test_a_shorter_term_passes_the_age_limit(secretaris):
    """Born 1 May 1956: four years from 1 October 2026 would cross the 72nd
    birthday; the RvC proposes one year, which ends before it."""
    response = login(secretaris).post(
        "/governance/organen/rvc/benoemen/", appoint_data(geboortedatum="1956-05-01", functie="lid", jaren="1")
    )
    assert response.status_code == 302
    assert Mandate.objects.get().einddatum == date(2027, 9, 30)


def test_a_seventh_commissaris_is_refused_and_nothing_is_saved(directie, rvc_body):
    for i, naam in enumerate(["Anna Aalders", "Bram Bakker", "Carla Claes", "Daan Dekker", "Eva Eerens", "Fred Fok"]):
        seat(rvc_body, naam, date(2024, 1, 1), functie="voorzitter" if i == 0 else "lid")
    before = counts()
    events = AuditEvent.objects.count()
    response = login(directie).post(
        "/governance/organen/rvc/benoemen/", appoint_data(naam="Gijs Goossens", functie="lid")
    )
    assert response.status_code == 200
    assert "Met deze benoeming heeft Raad van commissarissen 7 leden; het maximum is 6." in response.content.decode()
    assert counts() == before  # no mandate, no new person, no new decision
    assert not Person.objects.filter(naam="Gijs Goossens").exists()
    assert not Decision.objects.filter(kenmerk="ALV-2026-05").exists()
    assert AuditEvent.objects.count() == events


def test_a_fourth_term_is_refused(secretaris, rvc_body):
    carla = services.person_create(by=SYSTEM, naam="Carla Claes", geboortedatum=date(1970, 5, 5))
    for start in (date(2010, 7, 1), date(2014, 7, 1), date(2018, 7, 1)):
        seat(rvc_body, "", start, person=carla)
    before = counts()
    response = login(secretaris).post(
        "/governance/organen/rvc/benoemen/",
        appoint_data(naam=None, geboortedatum=None, persoon=carla.pk, functie="lid", ingangsdatum="2022-07-01"),
    )
    assert response.status_code == 200
    assert (
        "Carla Claes had al 3 termijnen; na 2 herbenoemingen is een nieuwe benoeming niet toegestaan."
        in response.content.decode()
    )
    assert counts() == before


def test_a_term_past_age_72_is_refused_with_the_birthday(secretaris):
    before = counts()
    response = login(secretaris).post(
        "/governance/organen/rvc/benoemen/", appoint_data(geboortedatum="1956-05-01", functie="lid")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "zou lopen tot 30-09-2030, voorbij de 72e verjaardag (01-05-2028)" in page
    assert counts() == before


def test_a_new_commissaris_needs_a_birth_date(secretaris):
    before = counts()
    response = login(secretaris).post(
        "/governance/organen/rvc/benoemen/", appoint_data(geboortedatum=None, functie="lid")
    )
    assert response.status_code == 200
    assert "Vul eerst de geboortedatum van Anna de Vries in" in response.content.decode()
    assert counts() == before


def test_a_used_decision_number_is_refused_at_its_field(secretaris, rvc_body):
    decide(rvc_body, "ALV-2026-05")
    before = counts()
    response = login(secretaris).post("/governance/organen/rvc/benoemen/", appoint_data(functie="lid"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Er is al een besluit met kenmerk ALV-2026-05." in page
    assert "utrecht-form-field--invalid" in page
    assert counts() == before


def test_the_appoint_form_asks_for_a_person_and_a_decision(secretaris):
    before = counts()
    response = login(secretaris).post("/governance/organen/rvc/benoemen/", {"functie": "lid"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kies een bestaande persoon of vul de naam van een nieuwe persoon in." in page
    assert "Kies een bestaand besluit of vul het kenmerk van een nieuw besluit in." in page
    assert counts() == before


def test_nobody_is_appointed_in_the_alv(secretaris):
    response = login(secretaris).get("/governance/organen/alv/benoemen/", follow=True)
    assert "daarin wordt niemand benoemd" in response.content.decode()


# --- ending a mandate -----------------------------------------------------------------------


def test_ending_a_mandate_through_the_page(secretaris, rvc_body):
    mandate = seat(rvc_body, "Anna Aalders", date(2025, 1, 1))
    client = login(secretaris)
    response = client.post(
        f"/governance/mandaten/{mandate.pk}/beeindigen/", {"datum": "2026-09-01", "reden": "Verhuisd"}, follow=True
    )
    assert "Het mandaat van Anna Aalders in Raad van commissarissen is beëindigd." in response.content.decode()
    mandate.refresh_from_db()
    assert (mandate.beeindigd_op, mandate.reden_beeindiging) == (date(2026, 9, 1), "Verhuisd")
    event = AuditEvent.objects.get(action="governance.mandate_end")
    assert event.actor == secretaris and event.object_id == str(mandate.pk)
    # Ending it again is refused with the field's name on the form.
    response = client.post(
        f"/governance/mandaten/{mandate.pk}/beeindigen/", {"datum": "2026-09-02", "reden": "Nogmaals"}, follow=True
    )
    assert "Beëindigd op: Dit mandaat is al beëindigd op 01-09-2026." in response.content.decode()


def test_ending_a_mandate_outside_its_term_is_refused(secretaris, rvc_body):
    mandate = seat(rvc_body, "Anna Aalders", date(2025, 1, 1))
    response = login(secretaris).post(
        f"/governance/mandaten/{mandate.pk}/beeindigen/", {"datum": "2024-01-01", "reden": "X"}, follow=True
    )
    assert "De datum moet binnen de termijn van het mandaat liggen." in response.content.decode()
    response = login(secretaris).post(f"/governance/mandaten/{mandate.pk}/beeindigen/", {"datum": "2026-01-01"})
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.beeindigd_op is None


# --- decisions ------------------------------------------------------------------------------


def test_recording_a_decision_and_listing_them(directie, rvc, rvc_body):
    client = login(directie)
    response = client.post(
        "/governance/besluiten/",
        {
            "orgaan": rvc_body.pk,
            "kenmerk": "RvC-2026-07",
            "datum": "2026-09-01",
            "onderwerp": "Vaststelling reglement RvC",
            "toelichting": "Na evaluatie.",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(kenmerk="RvC-2026-07")
    assert (decision.body, decision.vastgelegd_door) == (rvc_body, directie)
    assert AuditEvent.objects.filter(action="governance.decision_record", actor=directie).count() == 1
    again = client.post(
        "/governance/besluiten/",
        {"orgaan": rvc_body.pk, "kenmerk": "rvc-2026-07", "datum": "2026-09-02", "onderwerp": "Dubbel"},
    )
    assert again.status_code == 200
    assert "Er is al een besluit met kenmerk rvc-2026-07." in again.content.decode()
    assert Decision.objects.count() == 1

    page = login(rvc).get("/governance/besluiten/").content.decode()
    assert "RvC-2026-07" in page and "Vaststelling reglement RvC" in page and "01-09-2026" in page
    assert "Besluit vastleggen" not in page  # the RvC reads, the secretaris and directie record
    found = login(rvc).get("/governance/besluiten/?zoekterm=reglement").content.decode()
    assert "1 besluit gevonden" in found
    none = login(rvc).get("/governance/besluiten/?zoekterm=begroting").content.decode()
    assert "0 besluiten gevonden" in none


# --- query budgets ------------------------------------------------------------------------------


def _fill(rvc_body, directie_body, commissarissen: int):
    names = ["Anna Aalders", "Bram Bakker", "Carla Claes", "Daan Dekker", "Eva Eerens", "Fred Fok"]
    for i in range(commissarissen):
        seat(rvc_body, names[i], date(2024 - i % 2, 1 + i, 1), functie="voorzitter" if i == 0 else "lid")
    seat(directie_body, "Erik Evers", date(2024, 1, 1), functie="algemeen-directeur")
    seat(directie_body, "Fatima Faber", date(2024, 1, 1), functie="directeur")


def test_the_bodies_pages_keep_their_query_budget(secretaris, rvc_body, directie_body, django_assert_max_num_queries):
    _fill(rvc_body, directie_body, 6)
    client = login(secretaris)
    client.get("/governance/organen/")  # warm the session
    # bodies_overview reads each body's mandates with one query per body (3 here).
    with django_assert_max_num_queries(14):
        page = client.get("/governance/organen/")
    assert page.status_code == 200 and "6 leden" in page.content.decode()
    # The rooster asks the number of earlier terms per commissaris (the RvC
    # has at most 6): 12 + 6 here; see the report on selectors.rooster_van_aftreden.
    with django_assert_max_num_queries(18):
        page = client.get("/governance/organen/rvc/")
    assert page.status_code == 200 and "Fred Fok" in page.content.decode()
    # The function change forms read the appointing body and its decisions
    # once, whatever the number of mandates (11 + 2).
    with django_assert_max_num_queries(13):
        assert client.get("/governance/organen/directie/").status_code == 200
    for i in range(30):
        decide(rvc_body, f"RvC-X-{i}")
    with django_assert_max_num_queries(12):
        assert client.get("/governance/besluiten/").status_code == 200
    # + 1: the appointing body (the ALV), whose decisions the form offers.
    with django_assert_max_num_queries(13):
        assert client.get("/governance/organen/rvc/benoemen/").status_code == 200


def test_a_manager_fills_in_a_birth_date_and_links_the_account(secretaris, rvc, eindhoven_user, rvc_body):
    person = services.person_create(by=SYSTEM, naam="Els Zonder Datum")
    url = reverse("governance:person_edit", args=[person.pk])
    assert login(eindhoven_user).post(url, {"naam": "X"}).status_code == 403
    assert login(rvc).get(url).status_code == 403
    page = login(secretaris).post(
        url + "?terug=/governance/organen/rvc/", {"naam": "Els de Wit", "geboortedatum": "1968-04-02", "user": rvc.pk}
    )
    assert page.status_code == 302 and page["Location"] == "/governance/organen/rvc/"
    person.refresh_from_db()
    assert (person.naam, person.geboortedatum, person.user) == ("Els de Wit", date(1968, 4, 2), rvc)
    assert AuditEvent.objects.filter(action="governance.person_update", object_id=str(person.pk)).exists()
    # Now she can be appointed to the RvC (the age limit needs the birth date).
    seat(rvc_body, "", date(2026, 1, 1), person=person)


def test_an_account_belongs_to_one_person(secretaris, rvc):
    services.person_create(by=SYSTEM, naam="Eerste", user=rvc)
    second = services.person_create(by=SYSTEM, naam="Tweede")
    page = login(secretaris).post(
        reverse("governance:person_edit", args=[second.pk]), {"naam": "Tweede", "user": rvc.pk}
    )
    assert page.status_code == 400 and Person.objects.get(pk=second.pk).user is None


# --- regressions from the review: the whole term counts ----------------------------------------


def test_an_appointment_that_would_make_seven_later_in_the_term_is_refused(secretaris, rvc_body):
    """Five seated, a sixth starting on 1 November: an appointment from 1
    October would make seven from 1 November on."""
    for i, naam in enumerate(["Anna Aalders", "Bram Bakker", "Carla Claes", "Daan Dekker", "Eva Eerens"]):
        seat(rvc_body, naam, date(2026, 1, 1), functie="voorzitter" if i == 0 else "lid")
    seat(rvc_body, "Fred Fok", date(2026, 11, 1))
    before = counts()
    response = login(secretaris).post("/governance/organen/rvc/benoemen/", appoint_data(functie="lid"))
    assert response.status_code == 200
    assert "Met deze benoeming heeft Raad van commissarissen 7 leden; het maximum is 6." in response.content.decode()
    assert counts() == before


def test_a_second_voorzitter_is_refused_when_the_first_starts_later(secretaris, rvc_body):
    seat(rvc_body, "Anna Aalders", date(2026, 11, 1), functie="voorzitter")
    before = counts()
    response = login(secretaris).post("/governance/organen/rvc/benoemen/", appoint_data(functie="voorzitter"))
    assert response.status_code == 200
    assert "heeft in deze periode al een voorzitter: Anna Aalders" in response.content.decode()
    assert counts() == before


def test_a_committee_seat_capped_by_the_rvc_seat_is_not_refused_on_age(secretaris, rvc_body):
    """Born 2 January 1960: a full committee term from 1 June 2028 would pass
    the 72nd birthday, but the seat ends with the RvC seat on 31 December 2028."""
    committee = services.body_create(by=SYSTEM, soort="commissie", naam="Auditcommissie", slug="audit", parent=rvc_body)
    rvc_seat = seat(rvc_body, "Oud Lid", date(2025, 1, 1), born=date(1957, 1, 2))
    response = login(secretaris).post(
        "/governance/organen/audit/benoemen/",
        {
            "persoon": rvc_seat.person.pk,
            "functie": "lid",
            "ingangsdatum": "2028-06-01",
            "kenmerk": "RvC-2026-20",
            "besluitdatum": "2026-09-01",
        },
    )
    assert response.status_code == 302, response.content.decode()
    member = Mandate.objects.get(body=committee)
    assert member.einddatum == rvc_seat.einddatum == date(2028, 12, 31)
    assert member.besluit.body == rvc_body  # the RvC appoints its committees


# --- changing a function within the term --------------------------------------------------------


def change_data(mandate, **overrides):
    data = {"functie": "voorzitter", "datum": "2026-10-01", "kenmerk": "ALV-2026-11", "besluitdatum": "2026-09-10"}
    data.update(overrides)
    return {f"functie-{mandate.pk}-{k}": v for k, v in data.items() if v is not None}


def test_a_lid_becomes_voorzitter_in_the_same_term(secretaris, rvc, rvc_body):
    lid = seat(rvc_body, "Anna Aalders", date(2025, 1, 1))
    seat(rvc_body, "Bram Bakker", date(2025, 1, 1))
    client = login(secretaris)
    page = client.get("/governance/organen/rvc/").content.decode()
    assert "Functie van Anna Aalders wijzigen" in page
    assert f'action="/governance/mandaten/{lid.pk}/functie/"' in page
    assert "Benoemingen in Raad van commissarissen gebeuren bij besluit van Algemene ledenvergadering." in page
    assert "Functie wijzigen" not in login(rvc).get("/governance/organen/rvc/").content.decode()
    events = AuditEvent.objects.count()

    response = client.post(f"/governance/mandaten/{lid.pk}/functie/", change_data(lid))
    assert response.status_code == 302 and response["Location"] == "/governance/organen/rvc/"
    lid.refresh_from_db()
    chair = Mandate.objects.get(person=lid.person, functie="voorzitter")
    assert (lid.beeindigd_op, lid.reden_beeindiging) == (date(2026, 9, 30), "Functiewijziging naar voorzitter")
    # Not a reappointment: the same term, to the same end.
    assert (chair.termijn, chair.ingangsdatum, chair.einddatum) == (1, date(2026, 10, 1), lid.einddatum)
    assert chair.einddatum == date(2028, 12, 31)
    decision = chair.besluit
    assert (decision.kenmerk, decision.body.soort, decision.datum) == ("ALV-2026-11", Body.Kind.ALV, date(2026, 9, 10))
    assert decision.onderwerp == "Anna Aalders wordt voorzitter van Raad van commissarissen"
    assert audit_actions()[events:] == [
        "governance.decision_record",
        "governance.mandate_end",
        "governance.mandate_appoint",
    ]
    assert AuditEvent.objects.filter(actor=secretaris).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Anna Aalders is voorzitter van Raad van commissarissen met ingang van 01-10-2026 (termijn 1)." in page
    # The rooster still counts one term: she may be reappointed twice.
    rooster = page.split('id="rooster"')[1]
    assert "Anna Aalders" in rooster and "Nee</strong>" not in rooster


def test_a_function_change_with_an_existing_decision_of_the_appointing_body(secretaris, directie_body):
    rvc_decision = decide(Body.objects.get(soort="rvc"), "RvC-2026-12")
    own = decide(directie_body, "DIR-2026-12")
    director = seat(directie_body, "Fatima Faber", date(2024, 1, 1), functie="directeur")
    client = login(secretaris)
    page = client.get("/governance/organen/directie/").content.decode()
    form = page.split(f'action="/governance/mandaten/{director.pk}/functie/"')[1].split("</form>")[0]
    assert "RvC-2026-12" in form and "DIR-2026-12" not in form
    assert 'value="algemeen-directeur"' in form and 'value="directeur"' not in form  # not the current one
    refused = client.post(
        f"/governance/mandaten/{director.pk}/functie/",
        change_data(director, functie="algemeen-directeur", kenmerk=None, besluitdatum=None, besluit=own.pk),
    )
    assert refused.status_code == 400 and Mandate.objects.count() == 1
    response = client.post(
        f"/governance/mandaten/{director.pk}/functie/",
        change_data(director, functie="algemeen-directeur", kenmerk=None, besluitdatum=None, besluit=rvc_decision.pk),
    )
    assert response.status_code == 302
    new = Mandate.objects.get(functie="algemeen-directeur")
    assert (new.besluit, new.einddatum, new.termijn) == (rvc_decision, None, 1)


def test_a_refused_function_change_keeps_nothing_and_shows_why(secretaris, rvc_body):
    chair = seat(rvc_body, "Anna Aalders", date(2025, 1, 1), functie="voorzitter")
    lid = seat(rvc_body, "Bram Bakker", date(2025, 1, 1))
    before, events = counts(), AuditEvent.objects.count()
    client = login(secretaris)
    # A second voorzitter: refused by the service, the new decision is not kept.
    response = client.post(f"/governance/mandaten/{lid.pk}/functie/", change_data(lid))
    page = response.content.decode()
    assert response.status_code == 400
    assert "heeft in deze periode al een voorzitter: Anna Aalders" in page
    assert f'id="id_functie-{lid.pk}-kenmerk"' in page and '<details class="beware-details" open>' in page
    # Before the mandate began, or without a decision: refused at the field.
    response = client.post(
        f"/governance/mandaten/{lid.pk}/functie/", change_data(lid, functie="secretaris", datum="2024-06-01")
    )
    assert response.status_code == 400
    assert "De datum moet na de ingangsdatum en binnen het lopende mandaat liggen." in response.content.decode()
    response = client.post(
        f"/governance/mandaten/{lid.pk}/functie/", change_data(lid, functie="secretaris", kenmerk=None)
    )
    assert response.status_code == 400
    assert "Kies een bestaand besluit of vul het kenmerk van een nieuw besluit in." in response.content.decode()
    assert counts() == before and AuditEvent.objects.count() == events
    lid.refresh_from_db()
    chair.refresh_from_db()
    assert lid.beeindigd_op is None and chair.beeindigd_op is None


def test_only_managers_change_a_function(rvc, eindhoven_user, rvc_body):
    lid = seat(rvc_body, "Anna Aalders", date(2025, 1, 1))
    for user in (rvc, eindhoven_user):
        assert login(user).post(f"/governance/mandaten/{lid.pk}/functie/", change_data(lid)).status_code == 403
    assert login(rvc).get(f"/governance/mandaten/{lid.pk}/functie/").status_code == 405
    lid.refresh_from_db()
    assert lid.beeindigd_op is None and Mandate.objects.count() == 1
