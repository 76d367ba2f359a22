"""The governance demo: built through the real services, twice without
creating anything twice, and sensible on the rooster van aftreden, the
bodies' warnings, the document register and the compliance dashboard."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from beware.accounts.models import User
from beware.common.audit import verify_chain
from beware.common.models import AuditEvent
from governance import demo, obligations, selectors
from governance.models import (
    Body,
    ConflictOfInterest,
    Contract,
    Decision,
    Document,
    DocumentVersion,
    Mandate,
    Meeting,
    Person,
    QuarterlyReport,
    SideActivity,
)
from membership.demo import seed_founding_situation

MODELS = [
    Body,
    Person,
    Decision,
    Mandate,
    Document,
    DocumentVersion,
    Meeting,
    QuarterlyReport,
    SideActivity,
    ConflictOfInterest,
    Contract,
    AuditEvent,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(db):
    seed_founding_situation()
    assert demo.seed_governance() is True
    return timezone.localdate()


def test_running_the_demo_twice_creates_nothing_twice(seeded):
    before = counts()
    assert before["Person"] == 6
    assert before["Document"] == before["DocumentVersion"] == 5
    assert demo.seed_governance() is False
    assert counts() == before
    assert verify_chain() is None


def test_the_rvc_and_its_rooster_van_aftreden(seeded):
    today = seeded
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    overview = selectors.body_overview(rvc, today)
    assert overview.size == 4
    functies = {m.person.naam: m.functie for m in overview.mandates}
    assert functies == {
        "Hanneke de Wit": Mandate.Role.VOORZITTER,
        "Pieter Bakker": Mandate.Role.VICEVOORZITTER,
        "Rinske van der Raad": Mandate.Role.SECRETARIS,
        "Youssef El Amrani": Mandate.Role.LID,
    }
    pieter = next(m for m in overview.mandates if m.person.naam == "Pieter Bakker")
    assert overview.warnings == [
        f"De termijn van Pieter Bakker loopt af op {pieter.einddatum:%d-%m-%Y}, binnen 6 maanden."
    ]

    rows = selectors.rooster_van_aftreden(rvc, today)
    assert rows[0].mandate.person.naam == "Pieter Bakker"  # the first to retire
    by_name = {r.mandate.person.naam: r for r in rows}
    assert by_name["Pieter Bakker"].ending_soon and by_name["Pieter Bakker"].reappointable
    hanneke = by_name["Hanneke de Wit"]
    assert hanneke.mandate.termijn == 3
    assert not hanneke.reappointable
    assert "al 3 termijnen" in hanneke.reason
    assert not hanneke.ending_soon
    assert by_name["Rinske van der Raad"].mandate.termijn == 2
    assert by_name["Rinske van der Raad"].reappointable
    assert by_name["Youssef El Amrani"].reappointable
    # Every appointment has the ALV decision that made it; the history is kept.
    assert Mandate.objects.filter(body=rvc).count() == 3 + 1 + 2 + 1
    assert set(Mandate.objects.filter(body=rvc).values_list("besluit__body__soort", flat=True)) == {Body.Kind.ALV}

    # The RvC user is a commissaris, linked by the portal account.
    assert Person.objects.get(user__email="rvc@beware.demo").naam == "Rinske van der Raad"


def test_the_auditcommissie_and_the_directie(seeded):
    today = seeded
    committee = Body.objects.get(slug=demo.AUDITCOMMISSIE)
    assert committee.soort == Body.Kind.COMMISSIE
    assert committee.parent.soort == Body.Kind.RVC
    overview = selectors.body_overview(committee, today)
    assert {m.person.naam for m in overview.mandates} == {"Youssef El Amrani", "Rinske van der Raad"}
    assert overview.warnings == []

    directie = selectors.body_overview(Body.objects.get(soort=Body.Kind.DIRECTIE), today)
    assert {(m.person.naam, m.functie) for m in directie.mandates} == {
        ("Dirk de Directeur", Mandate.Role.ALGEMEEN_DIRECTEUR),
        ("Ilse Verbeek", Mandate.Role.DIRECTEUR),
    }
    assert directie.warnings == []
    # The RvC appoints the directie and its committees (the ALV the commissarissen).
    appointed_by = {m.body.soort: m.besluit.body.soort for m in Mandate.objects.select_related("body", "besluit__body")}
    assert appointed_by == {
        Body.Kind.RVC: Body.Kind.ALV,
        Body.Kind.DIRECTIE: Body.Kind.RVC,
        Body.Kind.COMMISSIE: Body.Kind.RVC,
    }
    # The committee was made through the service, audited.
    assert AuditEvent.objects.filter(action="governance.body_create", object_id=str(committee.pk)).exists()
    assert Person.objects.get(naam="Dirk de Directeur").user.email == "directeur@beware.demo"
    assert all(p.geboortedatum for p in Person.objects.all())


def test_documents_are_real_pdfs_and_the_confidential_ones_stay_with_the_rvc(seeded):
    for version in DocumentVersion.objects.all():
        with version.bestand.open("rb") as f:
            assert f.read(5) == b"%PDF-"
        assert version.content_type == "application/pdf"

    adopted = Document.objects.filter(status=Document.Status.VASTGESTELD)
    assert set(adopted.values_list("soort", flat=True)) == {Document.Kind.STATUTEN, Document.Kind.REGLEMENT_RVC}
    assert Document.objects.get(soort=Document.Kind.STATUTEN).besluit.body.soort == Body.Kind.ALV

    member = User.objects.get(email="eindhoven@beware.demo")
    rvc = User.objects.get(email="rvc@beware.demo")
    visible_to_member = set(selectors.visible_documents(member).values_list("soort", flat=True))
    assert visible_to_member == {Document.Kind.STATUTEN, Document.Kind.REGLEMENT_RVC}
    # The confidential Evaluatie directie is for the RvC only: closed, filed by
    # the RvC itself, not seen by the directie nor the secretaris (README).
    evaluation = Document.objects.get(soort=Document.Kind.EVALUATIE_DIRECTIE)
    assert evaluation.doelgroep == Document.Audience.RVC_BESLOTEN and evaluation.gedeeld_op is not None
    assert evaluation.aangemaakt_door == rvc
    assert selectors.visible_documents(rvc).filter(pk=evaluation.pk).exists()
    for email in ("eindhoven@beware.demo", "directeur@beware.demo", "secretaris@beware.demo"):
        user = User.objects.get(email=email)
        assert not selectors.visible_documents(user).filter(pk=evaluation.pk).exists(), email


def test_the_compliance_dashboard_of_this_year(seeded):
    today = seeded
    year = today.year
    rows = {row.obligation.key: row for row in selectors.compliance(year, today)}
    met = obligations.MET

    def held_by(month: int, day: int) -> str:
        return met if date(year, month, day) <= today else obligations.OPEN

    assert rows[f"alv-{year}"].status == held_by(3, 24)
    assert rows[f"rvc-accountant-{year}"].status == held_by(3, 10)
    assert rows[f"rvc-vergaderingen-{year}"].progress == "3 van 4 vergaderingen"
    assert rows[f"rvc-vergaderingen-{year}"].status == obligations.OPEN
    assert rows[f"begroting-{year + 1}"].status == met
    assert rows[f"evaluatie-directie-{year}"].status == met
    # The directie sees it met, but not by which closed document; the RvC does.
    directeur = User.objects.get(email="directeur@beware.demo")
    for_directie = {r.obligation.key: r for r in selectors.compliance(year, today, directeur)}
    assert for_directie[f"evaluatie-directie-{year}"].status == met
    assert for_directie[f"evaluatie-directie-{year}"].evidence is None
    assert for_directie[f"evaluatie-directie-{year}"].evidence_hidden
    rvc = User.objects.get(email="rvc@beware.demo")
    for_rvc = {r.obligation.key: r for r in selectors.compliance(year, today, rvc)}
    assert for_rvc[f"evaluatie-directie-{year}"].evidence.soort == Document.Kind.EVALUATIE_DIRECTIE
    report_year, quarter = demo._last_quarter(today)
    report = rows[f"kwartaalrapportage-{report_year}-q{quarter}"]
    assert report.status == met
    assert report.evidence.titel == f"Kwartaalrapportage Q{quarter} {report_year}"
    # Drawn up by the portal from the directie's texts, so its page shows them.
    assert QuarterlyReport.objects.get(jaar=report_year, kwartaal=quarter).document == report.evidence
    assert rows[f"zelfevaluatie-rvc-{year}"].status == obligations.OPEN


def test_registers_and_contracts(seeded):
    late = [a for a in selectors.side_activities() if a.reported_late]
    assert [(a.person.naam, a.organisatie) for a in late] == [
        ("Rinske van der Raad", "Vereniging Open Overheidssoftware")
    ]
    assert SideActivity.objects.count() == 4

    signed = Contract.objects.get(status=Contract.Status.GETEKEND)
    assert str(signed.bedrag) == "35000.00" and not signed.needs_approval
    waiting = Contract.objects.get(status=Contract.Status.CONCEPT)
    assert str(waiting.bedrag) == "120000.00" and waiting.needs_approval and waiting.rvc_besluit is None
    conflict = ConflictOfInterest.objects.get()
    assert conflict.contract == waiting
    assert selectors.conflicted_people(contract=waiting) == {Person.objects.get(naam="Youssef El Amrani").pk}


def test_seed_demo_builds_the_governance_once(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Governance aangemaakt" in out.getvalue()
    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Governance was er al; niets gewijzigd." in out.getvalue()
    assert counts() == before


def test_the_upcoming_alv_is_ready_for_the_voting_demo(seeded):
    from governance.models import Meeting, Poll, Proxy

    meeting = Meeting.objects.get(titel__startswith="Algemene ledenvergadering najaar")
    assert meeting.online and meeting.bijeengeroepen_op is not None and meeting.datum > timezone.localdate()
    assert str(meeting.items.first()) == "1. Opening en mededelingen"
    assert Poll.objects.get(agenda_item__meeting=meeting).status == Poll.Status.CONCEPT
    proxy = Proxy.objects.get(meeting=meeting)
    assert (proxy.verlener.code, proxy.gevolmachtigde.code, proxy.status) == (
        "mijngemeentedichtbij",
        "eindhoven",
        Proxy.Status.AANGEVRAAGD,
    )
