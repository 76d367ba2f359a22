"""The kwartaalrapportage: the directie's texts (audited, directie and
secretaris only), the PDF with the figures of the finance reports, filed as
a concept for the RvC and versioned on each new draft, and its pages."""

import io
import re
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from communities import services as community_services
from communities.models import Participation
from governance import quarterly, selectors, services
from governance.models import Body, Document, DocumentVersion, QuarterlyReport
from invoicing import budget
from invoicing import services as invoicing_services
from membership.models import Contact, Factuurkenmerk
from tests.conftest import login, with_totp
from tests.factories import UserFactory, member_with_inwoners

D = Decimal
RISK = "Het grootste risico is de afhankelijkheid van één leverancier voor hosting."
PAGE = "/governance/kwartaalrapportage/2026/1/"


def freeze(monkeypatch, day: date) -> None:
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    monkeypatch.setattr("django.utils.timezone.now", lambda: timezone.make_aware(datetime.combine(day, time(10))))


def pdf_text(document: Document, nummer: int | None = None) -> str:
    versions = document.versions.order_by("-nummer")
    version = versions.get(nummer=nummer) if nummer else versions.first()
    with version.bestand.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    # One line per line of text, spaces normalised (pypdf may split amounts oddly).
    return "\n".join(re.sub(r"[ \u00a0]+", " ", page.extract_text()) for page in reader.pages)


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def secretaris(db):
    return with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))


def billable(code: str):
    member = member_with_inwoners(code, 50_000, jaar=2026, status="actief", ingangsdatum=date(2019, 1, 1))
    member.adres, member.postcode, member.plaats = "Markt 1", "1234 AB", code.title()
    member.oin = f"00000001{member.pk:09d}000"
    member.save()
    Contact.objects.create(member=member, naam="Fien Financiën", email=f"finance@{code}.nl", rol="financieel")
    for jaar in (2025, 2026):
        Factuurkenmerk.objects.create(member=member, jaar=jaar, kenmerk=f"INK-{code}-{jaar}")
    return member


def invoice_on(member, boss, *, datum: date, bedrag: Decimal, soort="jaarkosten"):
    charge, _ = invoicing_services.charge_get_or_create(
        member=member, soort=soort, bron=f"test:{member.code}:{datum}:{bedrag}", bedrag=bedrag, omschrijving="Hosting"
    )
    draft = invoicing_services.invoice_draft(member, [charge], by=boss, omschrijving="Test", kenmerk_jaar=datum.year)
    return invoicing_services.invoice_finalise(draft, by=boss, datum=datum, queue_documents=False)


@pytest.fixture
def figures(boss):
    """Begroting 2026 (jaarkosten 40.000, so 10.000 a quarter), hosting
    invoiced in Q1 2026 and Q1 2025 (excl. btw; 21% btw on top), nothing in
    2024 and 2023."""
    budget.budget_set(by=boss, jaar=2026, bedragen={"jaarkosten": D("40000.00")})
    eindhoven = billable("eindhoven")
    woerden = billable("woerden")
    invoice_on(eindhoven, boss, datum=date(2026, 2, 10), bedrag=D("12345.67"))  # due 12 March
    invoice_on(woerden, boss, datum=date(2025, 3, 3), bedrag=D("8000.00"))  # never paid
    invoice_on(woerden, boss, datum=date(2026, 4, 2), bedrag=D("999.00"))  # Q2: not in Q1
    return {"eindhoven": eindhoven, "woerden": woerden}


@pytest.fixture
def portfolio(monkeypatch, boss, figures):
    """Zaaksysteem started in Q1 and went into production in it; CORV went
    into beheer after the quarter (so it was still in productie at its end)."""
    freeze(monkeypatch, date(2025, 6, 1))
    corv = community_services.community_create(
        by=boss,
        slug="corv",
        naam="CORV",
        samenvatting="Berichtenverkeer met Veilig Thuis.",
        domein="veiligheid",
        status="productie",
        trekker=figures["eindhoven"],
    )
    freeze(monkeypatch, date(2026, 1, 15))
    zaak = community_services.community_create(
        by=boss,
        slug="zaaksysteem",
        naam="Zaaksysteem",
        samenvatting="Zaakgericht werken.",
        domein="dienstverlening",
        status="ontwikkeling",
        trekker=figures["woerden"],
    )
    Participation.objects.create(
        community=zaak, member=figures["eindhoven"], status="deelnemer", datum=date(2026, 2, 1), fase="ontwikkeling"
    )
    freeze(monkeypatch, date(2026, 3, 2))
    community_services.community_update(zaak, by=boss, status="productie")
    freeze(monkeypatch, date(2026, 5, 4))
    community_services.community_update(corv, by=boss, status="beheer")
    return {"corv": corv, "zaak": zaak}


def save_texts(by, **texts):
    defaults = {"liquiditeit": "", "kosten": "", "investeringen": "", "risicomanagement": ""}
    return quarterly.quarterly_report_save(by=by, jaar=2026, kwartaal=1, **{**defaults, **texts})


# --- the texts ------------------------------------------------------------------


def test_the_directie_saves_the_texts_audited(boss):
    report = save_texts(boss, risicomanagement=f"  {RISK}  ", kosten="Binnen de begroting.")
    assert (report.jaar, report.kwartaal, report.risicomanagement, report.kosten) == (
        2026,
        1,
        RISK,
        "Binnen de begroting.",
    )
    event = AuditEvent.objects.get(action="governance.quarterly_report_save")
    assert event.data == {"jaar": 2026, "kwartaal": 1, "risicomanagement": RISK, "kosten": "Binnen de begroting."}
    # Saving the same texts again changes and records nothing; a change is recorded.
    save_texts(boss, risicomanagement=RISK, kosten="Binnen de begroting.")
    assert AuditEvent.objects.filter(action="governance.quarterly_report_save").count() == 1
    save_texts(boss, risicomanagement=RISK, kosten="Iets boven de begroting.")
    assert AuditEvent.objects.filter(action="governance.quarterly_report_save").last().data == {
        "jaar": 2026,
        "kwartaal": 1,
        "kosten": "Iets boven de begroting.",
    }
    assert QuarterlyReport.objects.count() == 1


def test_the_rvc_may_not_write_the_report(rvc, boss):
    with pytest.raises(PermissionDenied):
        save_texts(Actor(user=rvc), risicomanagement="Geen")
    report = save_texts(boss)
    with pytest.raises(PermissionDenied):
        quarterly.quarterly_report_draft(by=Actor(user=rvc), report=report)
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("jaar", "kwartaal", "field"), [(2026, 5, "kwartaal"), (2026, 0, "kwartaal"), (1999, 1, "jaar")]
)
def test_a_quarter_that_does_not_exist_is_refused(boss, jaar, kwartaal, field):
    with pytest.raises(ValidationError) as refused:
        quarterly.quarterly_report_save(
            by=boss, jaar=jaar, kwartaal=kwartaal, liquiditeit="", kosten="", investeringen="", risicomanagement=""
        )
    assert field in refused.value.message_dict


# --- the PDF ------------------------------------------------------------------------


def test_the_draft_is_a_pdf_with_the_figures_filed_as_a_concept_for_the_rvc(monkeypatch, boss, portfolio):
    freeze(monkeypatch, date(2026, 6, 15))
    report = save_texts(
        boss,
        liquiditeit="De liquiditeit is ruim voldoende.",
        kosten="De hostingkosten stegen.",
        investeringen="Geen investeringen dit kwartaal.",
        risicomanagement=RISK,
    )
    document = quarterly.quarterly_report_draft(by=boss, report=report)

    assert (document.titel, document.soort, document.doelgroep, document.status) == (
        "Kwartaalrapportage Q1 2026",
        Document.Kind.KWARTAALRAPPORTAGE,
        Document.Audience.RVC,
        Document.Status.CONCEPT,
    )
    assert (document.jaar, document.kwartaal, document.gedeeld_op) == (2026, 1, None)
    report.refresh_from_db()
    assert report.document == document
    version = document.versions.get()
    assert (version.nummer, version.content_type, version.bestandsnaam) == (
        1,
        "application/pdf",
        "kwartaalrapportage-2026-q1.pdf",
    )
    with version.bestand.open("rb") as f:
        assert f.read(5) == b"%PDF-"

    text = pdf_text(document)
    for heading in (
        "Kwartaalrapportage Q1 2026",
        "1. Exploitatie en begroting",
        "2. Liquiditeit",
        "3. Productportfolio",
        "4. Kosten",
        "5. Investeringen",
        "6. Risicomanagement",
    ):
        assert heading in text
    assert "uiterlijk aan de RvC op 30 juni 2026" in text
    # The directie's texts.
    assert RISK in text.replace("\n", " ")
    assert "De liquiditeit is ruim voldoende." in text
    assert "Geen investeringen dit kwartaal." in text
    # Exploitatie: Q1 budget 10.000,00 against 12.345,67 invoiced; the Q2 invoice does not count.
    assert "Jaarlijkse" in text
    assert "€ 10.000,00 € 12.345,67 € 2.345,67 € 10.000,00 € 12.345,67 € 2.345,67" in text
    assert "€ 999,00" not in text
    # The same quarter in earlier years: 2025 had an invoice (no budget), 2024 and 2023 nothing.
    assert "2025 € 0,00 € 8.000,00 € 8.000,00" in text
    assert "2024 geen gegevens" in text
    assert "2023 geen gegevens" in text
    # Open debiteuren on 31 March 2026, incl. btw: 14.938,26 (19 days late) + 9.680,00 (> 90 days).
    assert "Openstaande debiteuren op 31 maart 2026" in text
    assert "€ 14.938,26" in text and "€ 9.680,00" in text
    assert "€ 24.618,26" in text
    # The portfolio as it stood on 31 March (CORV went into beheer in May).
    assert "CORV Productie 0" in text
    assert "Zaaksysteem Productie 1" in text
    assert "Beheer" not in text
    assert "Nieuwe community" in text
    assert "Status van ontwikkeling naar productie" in text
    assert "Gemeente Eindhoven neemt deel (fase ontwikkeling)" in text
    # Kosten per community (this year's business case allocations): none.
    assert "De hostingkosten stegen." in text

    event = AuditEvent.objects.get(action="governance.quarterly_report_draft")
    assert event.data == {"jaar": 2026, "kwartaal": 1, "document": document.pk, "versie": 1}
    assert AuditEvent.objects.filter(action="governance.document_create", object_id=str(document.pk)).exists()


def test_a_second_draft_is_version_2_of_the_same_document(monkeypatch, boss):
    freeze(monkeypatch, date(2026, 4, 20))
    report = save_texts(boss, risicomanagement="Eerste versie.")
    first = quarterly.quarterly_report_draft(by=boss, report=report)
    save_texts(boss, risicomanagement="Tweede versie, na overleg.")
    second = quarterly.quarterly_report_draft(by=boss, report=report)
    assert second == first
    assert Document.objects.count() == 1
    assert list(first.versions.order_by("nummer").values_list("nummer", flat=True)) == [1, 2]
    assert "Eerste versie." in pdf_text(first, 1)
    assert "Tweede versie, na overleg." in pdf_text(first, 2)
    assert "Eerste versie." not in pdf_text(first, 2)
    assert selectors.latest_version(first).nummer == 2


def test_without_any_figures_it_says_so(monkeypatch, boss):
    freeze(monkeypatch, date(2026, 7, 1))
    text = pdf_text(quarterly.quarterly_report_draft(by=boss, report=save_texts(boss)))
    assert "Voor 2026 is geen begroting ingevoerd." in text
    assert "Geen gegevens: voor 2026 zijn geen begroting en geen facturen vastgelegd." in text
    assert "2026 geen gegevens" in text
    assert "Op 31 maart 2026 stonden geen facturen open." in text
    assert "De directie heeft bij het risicomanagement geen toelichting gegeven." in text


def test_a_running_quarter_shows_the_figures_of_today(monkeypatch, boss):
    freeze(monkeypatch, date(2026, 2, 14))
    text = pdf_text(quarterly.quarterly_report_draft(by=boss, report=save_texts(boss)))
    assert "Het kwartaal loopt nog: de cijfers zijn de stand op 14 februari 2026." in text


def test_an_adopted_report_is_frozen(monkeypatch, boss):
    freeze(monkeypatch, date(2026, 5, 1))
    report = save_texts(boss, risicomanagement=RISK)
    document = quarterly.quarterly_report_draft(by=boss, report=report)
    besluit = services.decision_record(
        by=boss,
        body=Body.objects.get(soort=Body.Kind.DIRECTIE),  # the directie adopts its kwartaalrapportage
        kenmerk="DIR-2026-05",
        datum=date(2026, 5, 1),
        onderwerp="Kwartaalrapportage Q1 2026",
        perm=selectors.MANAGE_DOCUMENTS,
    )
    services.document_adopt(by=boss, document=document, besluit=besluit)
    with pytest.raises(ValidationError, match="is vastgesteld"):
        save_texts(boss, risicomanagement="Later bedacht.")
    with pytest.raises(ValidationError, match="al vastgesteld"):
        quarterly.quarterly_report_draft(by=boss, report=report)
    assert DocumentVersion.objects.count() == 1


# --- the pages ----------------------------------------------------------------------


def test_the_directie_writes_and_draws_up_the_report_on_its_page(monkeypatch, directie):
    freeze(monkeypatch, date(2026, 6, 1))
    client = login(directie)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kwartaalrapportage Q1 2026" in html and "Concept-PDF opstellen" in html
    assert "Nog niet opgesteld." in html

    texts = {"liquiditeit": "Ruim.", "kosten": "Laag.", "investeringen": "Geen.", "risicomanagement": RISK}
    response = client.post(PAGE, {**texts, "actie": "opslaan"})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert QuarterlyReport.objects.get().risicomanagement == RISK
    assert not Document.objects.exists()

    response = client.post(PAGE, {**texts, "actie": "concept"}, follow=True)
    document = Document.objects.get()
    html = response.content.decode()
    assert "de concept-PDF staat als versie 1 in het documentregister" in html
    assert f'href="/governance/documenten/{document.pk}/"' in html
    assert "nog niet gedeeld met de RvC" in html
    client.post(PAGE, {**texts, "actie": "concept"})
    assert document.versions.count() == 2


def test_the_rvc_reads_the_page_but_cannot_save(monkeypatch, rvc, directie, boss):
    freeze(monkeypatch, date(2026, 6, 1))
    report = save_texts(boss, risicomanagement=RISK)
    document = quarterly.quarterly_report_draft(by=boss, report=report)
    client = login(rvc)
    html = client.get(PAGE).content.decode()
    assert "Concept-PDF opstellen" not in html
    assert "de directie heeft het nog niet met de RvC gedeeld" in html
    assert RISK not in html  # a concept stays with the directie until shared
    assert f"/governance/documenten/{document.pk}/" not in html

    response = client.post(PAGE, {"risicomanagement": "Niets aan de hand.", "actie": "concept"})
    assert response.status_code == 403
    assert QuarterlyReport.objects.get().risicomanagement == RISK
    assert document.versions.count() == 1

    services.document_share(by=boss, document=document)
    save_texts(boss, risicomanagement="Nog niet gedeeld: een nieuwe tekst.")
    html = client.get(PAGE).content.decode()
    assert f'href="/governance/documenten/{document.pk}/"' in html
    # The RvC reads the released PDF, never the current texts: they may have
    # changed since (regression, review).
    assert RISK not in html and "Nog niet gedeeld: een nieuwe tekst." not in html
    assert "Teksten van de directie" not in html


def test_the_secretaris_may_write_the_report_too(secretaris):
    response = login(secretaris).post(PAGE, {"risicomanagement": RISK, "actie": "opslaan"})
    assert response.status_code == 302
    assert QuarterlyReport.objects.get().risicomanagement == RISK


def test_members_may_not_see_the_report(eindhoven_user):
    assert login(eindhoven_user).get(PAGE).status_code == 403
    assert login(eindhoven_user).post(PAGE, {"risicomanagement": "x"}).status_code == 403


@pytest.mark.parametrize("url", ["/governance/kwartaalrapportage/2026/5/", "/governance/kwartaalrapportage/1999/1/"])
def test_a_quarter_that_does_not_exist_is_not_found(directie, url):
    assert login(directie).get(url).status_code == 404


def test_the_list_shows_each_quarter_with_its_status(monkeypatch, directie, rvc, boss):
    freeze(monkeypatch, date(2026, 7, 1))
    report = save_texts(boss)
    document = quarterly.quarterly_report_draft(by=boss, report=report)
    html = login(directie).get("/governance/kwartaalrapportages/").content.decode()
    for quarter in ("Q3 2026", "Q2 2026", "Q1 2026", "Q4 2025", "Q1 2025"):
        assert quarter in html
    assert "Q4 2026" not in html  # not begun yet
    assert html.index("Q3 2026") < html.index("Q1 2026") < html.index("Q4 2025")
    assert "loopt nog" in html
    assert 'href="/governance/kwartaalrapportage/2026/1/"' in html
    assert f'href="/governance/documenten/{document.pk}/"' in html  # the directie sees its concept
    assert "Te laat" in html  # Q1 2026 on 1 July, not shared
    rvc_html = login(rvc).get("/governance/kwartaalrapportages/").content.decode()
    assert f"/governance/documenten/{document.pk}/" not in rvc_html
