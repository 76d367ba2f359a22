"""Demo governance (DOMAIN.md §1, §6), through the real services, on top of
the demo register (membership.demo): the RvC with its rooster van aftreden
and an auditcommissie, the directie, the decisions that appointed them (of
the ALV for the commissarissen, of the RvC for the directie and the
committee), the document register with real PDF files (the evaluation of the
directie closed to all but the RvC), this year's meetings, the registers
of nevenfuncties and conflicts of interest, and two contracts.

Dates follow today, so the dashboard and the rooster always show the same
situation: the voorzitter serves a third term (not reappointable), the
vicevoorzitter's term ends within six months (a warning), three of the four
RvC meetings of this year are held (one with the accountant), and the
120.000 euro contract waits for the RvC's approval."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from beware.accounts.models import User
from beware.common.audit import Actor
from beware.common.pdf import render_pdf
from membership.demo import FOUNDED

from . import quarterly, services
from .mandates import add_months, add_years
from .models import Body, Decision, Document, Mandate, Person

# The first decision the demo records; its presence means the demo is there.
MARKER = "ALV-2017-01"
AUDITCOMMISSIE = "auditcommissie"

Role = Mandate.Role
Audience = Document.Audience
Kind = Document.Kind


def statutory_bodies() -> dict[str, Body]:
    return services.ensure_statutory_bodies()


def demo_pdf(*, titel: str, soort: str, doelgroep: str, paragrafen: list[tuple[str, str]], name: str) -> ContentFile:
    """A small real PDF marked as a demo document, ready for document_create."""
    rendered = render_pdf(
        "governance/demo_document.html",
        {
            "titel": titel,
            "soort": Kind(soort).label,
            "vertrouwelijk": doelgroep in (Audience.RVC, Audience.RVC_BESLOTEN),
            "paragrafen": paragrafen,
            "cooperatie": settings.COOPERATIE,
        },
    )
    return ContentFile(rendered.pdf, name=name)


class _Demo:
    def __init__(self, today: date):
        self.today = today
        self.month = today.replace(day=1)  # appointments start on the first of a month
        self.year = today.year
        self.directie = Actor(user=User.objects.get(email="directeur@beware.demo"))
        self.secretaris = Actor(user=User.objects.get(email="secretaris@beware.demo"))
        self.rvc_user = User.objects.get(email="rvc@beware.demo")
        self.bodies = statutory_bodies()
        self.alv, self.rvc = self.bodies["alv"], self.bodies["rvc"]

    def auditcommissie(self) -> Body:
        """The RvC's committee, made as a manager would (audited); one made by
        hand before the demo ran is used as it is."""
        existing = Body.objects.filter(slug=AUDITCOMMISSIE).first()
        self.bodies[AUDITCOMMISSIE] = existing or services.body_create(
            by=self.directie,
            soort=Body.Kind.COMMISSIE,
            naam="Auditcommissie",
            slug=AUDITCOMMISSIE,
            minimum=2,
            maximum=3,
            parent=self.rvc,
        )
        return self.bodies[AUDITCOMMISSIE]

    def months_ago(self, months: int) -> date:
        return add_months(self.month, -months)

    def born(self, age: int, month: int, day: int) -> date:
        return date(self.year - age, month, day)

    # --- decisions and appointments --------------------------------------

    def decision(self, body: Body, datum: date, onderwerp: str, *, kenmerk: str = "") -> Decision:
        if not kenmerk:
            prefix = "ALV" if body.soort == Body.Kind.ALV else "RvC"
            number = 1
            while Decision.objects.filter(kenmerk=f"{prefix}-{datum.year}-{number:02d}").exists():
                number += 1
            kenmerk = f"{prefix}-{datum.year}-{number:02d}"
        return services.decision_record(by=self.directie, body=body, kenmerk=kenmerk, datum=datum, onderwerp=onderwerp)

    def person(self, naam: str, geboortedatum: date, user=None) -> Person:
        return services.person_create(by=self.directie, naam=naam, geboortedatum=geboortedatum, user=user)

    def commissaris(self, person: Person, functie: str, first_term: date, terms: int) -> None:
        """Appointed by the ALV (on the RvC's nomination), then reappointed
        at the end of each term, `terms` terms in all."""
        start = first_term
        for termijn in range(1, terms + 1):
            what = "Benoeming" if termijn == 1 else "Herbenoeming"
            besluit = self.decision(
                self.alv,
                start,
                f"{what} van {person} tot commissaris ({Role(functie).label.lower()}), termijn {termijn}",
            )
            mandate = services.mandate_appoint(
                by=self.directie, body=self.rvc, person=person, functie=functie, ingangsdatum=start, besluit=besluit
            )
            start = mandate.einddatum + timedelta(days=1)

    def committee_member(self, person: Person, functie: str, start: date) -> None:
        """Appointed by the RvC, for as long as the RvC seat lasts."""
        committee = self.bodies[AUDITCOMMISSIE]
        besluit = self.decision(self.rvc, start, f"Benoeming van {person} in de {committee.naam.lower()}")
        services.mandate_appoint(
            by=self.directie, body=committee, person=person, functie=functie, ingangsdatum=start, besluit=besluit
        )

    def director(self, person: Person, functie: str, start: date, besluit: Decision) -> None:
        """Appointed by the RvC (`besluit` is an RvC decision)."""
        services.mandate_appoint(
            by=self.directie,
            body=self.bodies["directie"],
            person=person,
            functie=functie,
            ingangsdatum=start,
            besluit=besluit,
        )

    # --- documents -------------------------------------------------------

    def document(
        self,
        *,
        titel: str,
        soort: str,
        doelgroep: str,
        bestandsnaam: str,
        paragrafen: list[tuple[str, str]],
        jaar: int | None = None,
        kwartaal: int | None = None,
        besluit: Decision | None = None,
        share: bool = False,
        by: Actor | None = None,
    ) -> Document:
        """Filed (and adopted or shared) by the secretaris, or by `by`: the
        RvC files its own closed documents."""
        by = by or self.secretaris
        document = services.document_create(
            by=by,
            titel=titel,
            soort=soort,
            doelgroep=doelgroep,
            bestand=demo_pdf(titel=titel, soort=soort, doelgroep=doelgroep, paragrafen=paragrafen, name=bestandsnaam),
            jaar=jaar,
            kwartaal=kwartaal,
            toelichting="Demodocument",
        )
        if besluit is not None:
            document = services.document_adopt(by=by, document=document, besluit=besluit)
        if share:
            document = services.document_share(by=by, document=document)
        return document


def _last_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3
    return (today.year - 1, 4) if quarter == 0 else (today.year, quarter)


def seed_governance(today: date | None = None) -> bool:
    """Build the demo governance; False (and nothing written) when it is
    already there. Needs the demo users of membership.demo."""
    if Decision.objects.filter(kenmerk=MARKER).exists():
        return False
    with transaction.atomic():
        _seed(_Demo(today or timezone.localdate()))
    return True


def _seed(demo: _Demo) -> None:
    year = demo.year

    # Founding: the statuten and the first directie.
    statuten_besluit = demo.decision(
        demo.alv, FOUNDED, "Oprichting van de coöperatie en vaststelling van de statuten", kenmerk=MARKER
    )
    # The RvC appoints the directie (the ALV the commissarissen).
    directie_besluit = demo.decision(demo.rvc, FOUNDED, "Benoeming van de eerste directie bij de oprichting")
    dirk = demo.person("Dirk de Directeur", demo.born(56, 2, 14), user=demo.directie.user)
    demo.director(dirk, Role.ALGEMEEN_DIRECTEUR, FOUNDED, directie_besluit)
    ilse = demo.person("Ilse Verbeek", demo.born(49, 8, 30))
    second_director = date(2019, 9, 1)
    demo.director(
        ilse,
        Role.DIRECTEUR,
        second_director,
        demo.decision(demo.rvc, second_director - timedelta(days=20), "Benoeming van Ilse Verbeek tot directeur"),
    )

    # The RvC: four commissarissen, ordered on the rooster van aftreden.
    hanneke = demo.person("Hanneke de Wit", demo.born(65, 5, 4))
    pieter = demo.person("Pieter Bakker", demo.born(58, 11, 9))
    rinske = demo.person("Rinske van der Raad", demo.born(52, 3, 21), user=demo.rvc_user)
    youssef = demo.person("Youssef El Amrani", demo.born(45, 7, 2))
    # The voorzitter in her third term (started eight months ago): not reappointable.
    demo.commissaris(hanneke, Role.VOORZITTER, add_years(demo.months_ago(8), -8), terms=3)
    # The vicevoorzitter's first term ends within six months: a warning, reappointable.
    demo.commissaris(pieter, Role.VICEVOORZITTER, add_years(add_months(demo.month, 3), -4), terms=1)
    demo.commissaris(rinske, Role.SECRETARIS, add_years(demo.months_ago(20), -4), terms=2)
    demo.commissaris(youssef, Role.LID, demo.months_ago(14), terms=1)
    demo.auditcommissie()
    demo.committee_member(youssef, Role.VOORZITTER, demo.months_ago(14))
    demo.committee_member(rinske, Role.LID, demo.months_ago(13))

    # The document register.
    demo.document(
        titel="Statuten",
        soort=Kind.STATUTEN,
        doelgroep=Audience.LEDEN,
        bestandsnaam="statuten.pdf",
        besluit=statuten_besluit,
        paragrafen=[
            ("Artikel 1 – Naam en zetel", "De coöperatie is een coöperatie met uitgesloten aansprakelijkheid (U.A.)."),
            ("Artikel 2 – Leden", "Leden kunnen uitsluitend overheidsorganisaties zijn."),
            (
                "Artikel 3 – Organen",
                "De coöperatie kent een algemene ledenvergadering, een raad van commissarissen "
                "en een directie van ten minste twee directeuren.",
            ),
        ],
    )
    demo.document(
        titel="Reglement raad van commissarissen",
        soort=Kind.REGLEMENT_RVC,
        doelgroep=Audience.LEDEN,
        bestandsnaam="reglement-rvc.pdf",
        besluit=demo.decision(demo.rvc, date(year - 1, 12, 1), "Vaststelling van het herziene reglement RvC"),
        paragrafen=[
            ("Samenstelling", "De raad bestaat uit ten minste drie en ten hoogste zes commissarissen."),
            (
                "Rooster van aftreden",
                "Een commissaris wordt benoemd voor vier jaar en is ten hoogste twee keer "
                "herbenoembaar; een termijn loopt niet voorbij de 72e verjaardag.",
            ),
        ],
    )
    demo.document(
        titel=f"Begroting {year + 1}",
        soort=Kind.BEGROTING,
        doelgroep=Audience.RVC,
        jaar=year + 1,
        bestandsnaam=f"begroting-{year + 1}.pdf",
        share=True,
        paragrafen=[
            ("Uitgangspunten", f"Contributie van € 0,35 per inwoner op 1 januari {year + 1}."),
            ("Exploitatie", "Baten en lasten per community, met de kosten van het operationeel management."),
        ],
    )
    # The RvC's evaluation of the directie: closed, filed by the RvC itself
    # (Rinske), never seen by the directie or the secretaris; the dashboard
    # still shows the obligation met.
    demo.document(
        titel=f"Evaluatie directie {year}",
        soort=Kind.EVALUATIE_DIRECTIE,
        doelgroep=Audience.RVC_BESLOTEN,
        jaar=year,
        bestandsnaam=f"evaluatie-directie-{year}.pdf",
        share=True,
        by=Actor(user=demo.rvc_user),
        paragrafen=[
            ("Vertrouwelijk", "Dit verslag is alleen bestemd voor de raad van commissarissen."),
            ("Bevindingen", "Het functioneren van de directie is besproken met beide directeuren."),
        ],
    )
    # Last quarter's report, drawn up by the portal from the directie's texts, shared with the RvC.
    report_year, quarter = _last_quarter(demo.today)
    report = quarterly.quarterly_report_save(
        by=demo.directie,
        jaar=report_year,
        kwartaal=quarter,
        liquiditeit="De liquiditeit is toereikend voor de komende twaalf maanden.",
        kosten="De kosten blijven binnen de begroting; de hosting van CORV is opnieuw aanbesteed.",
        investeringen="Geen investeringen boven € 50.000,00 dit kwartaal.",
        risicomanagement=(
            "Geen nieuwe risico's van betekenis. De afhankelijkheid van één leverancier blijft een aandachtspunt."
        ),
    )
    services.document_share(
        by=demo.secretaris, document=quarterly.quarterly_report_draft(by=demo.directie, report=report)
    )

    # This year's meetings: the ALV in the first quarter, three of the RvC's four.
    services.meeting_record(
        by=demo.secretaris,
        body=demo.alv,
        datum=date(year, 3, 24),
        titel=f"Algemene ledenvergadering voorjaar {year}",
        plaats="Stadhuis Eindhoven",
    )
    for datum, titel, met_accountant in [
        (date(year, 3, 10), f"RvC-vergadering maart {year} (jaarrekening {year - 1})", True),
        (date(year, 6, 16), f"RvC-vergadering juni {year}", False),
        (date(year, 9, 22), f"RvC-vergadering september {year}", False),
    ]:
        services.meeting_record(
            by=demo.secretaris, body=demo.rvc, datum=datum, titel=titel, met_accountant=met_accountant
        )

    # Nevenfuncties: Rinske reported hers herself, two months late.
    services.side_activity_report(
        by=demo.directie,
        person=hanneke,
        functie="Lid raad van toezicht",
        organisatie="Stichting Zorggroep Voorbeeld",
        bezoldigd=True,
        ingangsdatum=date(year - 2, 1, 1),
        gemeld_op=date(year - 2, 1, 12),
    )
    services.side_activity_report(
        by=Actor(user=demo.rvc_user),
        person=rinske,
        functie="Voorzitter",
        organisatie="Vereniging Open Overheidssoftware",
        ingangsdatum=demo.months_ago(5),
        gemeld_op=demo.months_ago(3),
    )
    services.side_activity_report(
        by=demo.directie,
        person=youssef,
        functie="Adviseur",
        organisatie="Codewerk Zuid B.V.",
        bezoldigd=True,
        ingangsdatum=demo.months_ago(14),
        gemeld_op=demo.months_ago(14) + timedelta(days=7),
    )
    services.side_activity_report(
        by=demo.directie,
        person=dirk,
        functie="Bestuurslid",
        organisatie="Stichting Common Ground Netwerk",
        ingangsdatum=date(2021, 4, 1),
        gemeld_op=date(2021, 4, 20),
    )

    # Contracts: one under the threshold, signed; one above it, waiting for the RvC.
    hosting = services.contract_create(
        by=demo.directie,
        omschrijving=f"Hosting en beheer CORV-koppeling {year}",
        wederpartij="Hostingpartner Brabant B.V.",
        bedrag=Decimal("35000.00"),
    )
    services.contract_sign(by=demo.directie, contract=hosting, getekend_op=min(date(year, 1, 15), demo.today))
    development = services.contract_create(
        by=demo.directie,
        omschrijving=f"Doorontwikkeling Burgerzakenmodules {year + 1}",
        wederpartij="Codewerk Zuid B.V.",
        bedrag=Decimal("120000.00"),
    )
    services.conflict_declare(
        by=demo.directie,
        person=youssef,
        onderwerp=f"Goedkeuring contract doorontwikkeling Burgerzakenmodules {year + 1}",
        contract=development,
        toelichting="Youssef El Amrani is bezoldigd adviseur van Codewerk Zuid B.V. en besluit niet over dit contract.",
    )

    _upcoming_alv(demo)


def _upcoming_alv(demo: _Demo) -> None:
    """An online ALV three weeks ahead with the begroting on its agenda, a
    poll ready to open and MijnGemeenteDichtbij's proxy to Eindhoven waiting
    for the secretary: the voting demo of the README."""
    from membership.models import Member

    year = demo.year
    meeting = services.meeting_record(
        by=demo.secretaris,
        body=demo.alv,
        datum=demo.today + timedelta(days=21),
        titel=f"Algemene ledenvergadering najaar {year}",
        online=True,
        voorzitter=demo.secretaris.user,
    )
    services.meeting_convene(by=demo.secretaris, meeting=meeting)
    services.agenda_item_add(by=demo.secretaris, meeting=meeting, titel="Opening en mededelingen")
    item = services.agenda_item_add(
        by=demo.secretaris,
        meeting=meeting,
        titel=f"Begroting {year + 1}",
        voorstel=f"De ALV stelt de begroting {year + 1} vast, met een contributie van € 0,35 per inwoner.",
    )
    services.poll_create(
        by=demo.secretaris, body=demo.alv, vraag=f"Vaststelling begroting {year + 1}", regel="alv", agenda_item=item
    )
    mgd, eindhoven = Member.objects.get(code="mijngemeentedichtbij"), Member.objects.get(code="eindhoven")
    boxtel_user = User.objects.get(email="boxtel@beware.demo")
    services.proxy_grant(
        by=Actor(user=boxtel_user, member=mgd), meeting=meeting, gevolmachtigde=eindhoven, ondertekenen=True
    )
