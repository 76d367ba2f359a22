"""Demo data for communities and business cases (DOMAIN.md §4): the founding
members' own applications and a few from the Common Ground catalogue, built
through the real services on top of the demo register (membership.demo).

Each community starts in an early phase and moves on as the history unfolds,
so the phase recorded at joining is the phase of that moment. Woerden is
deliberately not a participant of CORV: the demo shows it a late-join quote."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from beware.accounts.models import User
from beware.common.audit import Actor
from businesscases import services as bc_services
from businesscases.models import BusinessCase, CostLine
from membership.models import Member

from . import services
from .models import Community

Status = Community.Status
Domain = Community.Domain
Kind = CostLine.Kind
Key = BusinessCase.Key


class _Demo:
    def __init__(self):
        self.directie = Actor(user=User.objects.get(email="directeur@beware.demo"))
        self.manager = Actor(user=User.objects.get(email="manager@beware.demo"))
        self.members = {m.code: m for m in Member.objects.all()}

    def member(self, code: str) -> Member:
        return self.members[code]

    def community(self, slug: str, *, trekker: str, **fields) -> Community:
        return services.community_create(by=self.manager, slug=slug, trekker=self.member(trekker), **fields)

    def move(self, community: Community, status: str) -> Community:
        return services.community_update(community, by=self.manager, status=status)

    def join(self, community: Community, code: str, datum: date) -> None:
        services.participation_add(community, self.member(code), by=self.manager, datum=datum)

    def coordinator(self, community: Community, email: str) -> None:
        services.coordinator_add(community, User.objects.get(email=email), by=self.manager)

    def business_case(self, community: Community, costs: list[tuple], **fields) -> BusinessCase:
        bc = bc_services.businesscase_create(community, by=self.manager, **fields)
        for soort, omschrijving, *amount in costs:
            if soort in CostLine.STAFF:
                uren, uurtarief = amount
                bc_services.cost_line_add(
                    bc, by=self.manager, soort=soort, omschrijving=omschrijving, uren=uren, uurtarief=uurtarief
                )
            else:
                bc_services.cost_line_add(bc, by=self.manager, soort=soort, omschrijving=omschrijving, bedrag=amount[0])
        return bc


def _corv(demo: _Demo) -> None:
    corv = demo.community(
        "corv",
        trekker="eindhoven",
        naam="CORV",
        samenvatting=(
            "Collectieve berichtenvoorziening voor de uitwisseling tussen gemeenten, Veilig Thuis en justitie."
        ),
        beschrijving=(
            "Gemeente Eindhoven bouwde de koppeling met CORV voor EUR 25.000. Gemeenten wisselen er berichten "
            "mee uit met Veilig Thuis, de Raad voor de Kinderbescherming en het Openbaar Ministerie, zonder "
            "eigen maatwerkkoppeling per organisatie.\n\n"
            "De voorziening is in gebruik bij 91 gemeenten en 18 Veilig Thuis-organisaties."
        ),
        status=Status.VERKENNING,
        domein=Domain.VEILIGHEID,
        platform="Digikoppeling (ebMS2)",
        leverancier="Gemeente Eindhoven (eigen ontwikkeling)",
        referentiecomponent="Berichtenuitwisselingscomponent",
        standaarden="Digikoppeling, StUF",
        links="https://www.justid.nl/\nhttps://www.gemmaonline.nl/",
    )
    demo.coordinator(corv, "eindhoven@beware.demo")
    for code in ("eindhoven", "mijngemeentedichtbij"):
        demo.join(corv, code, date(2018, 1, 15))
    bc = demo.business_case(
        corv,
        [
            (Kind.ONTWIKKELING, "Bouw van de CORV-koppeling", Decimal("25000.00")),
            (Kind.HOSTING, "Hosting en Digikoppeling-aansluiting", Decimal("3600.00")),
            (Kind.BEHEER, "Functioneel en technisch beheer", Decimal("4800.00")),
            (Kind.PERSONEEL_EENMALIG, "Inzet ketenpartners bij de test", Decimal("80"), Decimal("85.00")),
        ],
        titel="CORV koppeling",
        probleem=(
            "Elke gemeente bouwt en onderhoudt een eigen koppeling voor berichten aan Veilig Thuis en justitie; "
            "dat is duur en kwetsbaar."
        ),
        doel="Eén gedeelde, beheerde koppeling die elke gemeente kan gebruiken.",
        horizon_jaren=5,
        risicos="Wijzigingen in de berichtstandaard van de ketenpartners; afhankelijkheid van één leverancier.",
        hosting="Bij Gemeente Eindhoven, in het eigen datacenter.",
        beheer="Functioneel beheer door de community, technisch beheer door Eindhoven.",
        verantwoordelijkheid="Eindhoven is trekker; wijzigingen gaan via de community.",
        verdeelsleutel=Key.INWONERS,
        peildatum=date(2018, 1, 1),
    )
    bc_services.businesscase_submit(bc, by=demo.manager)
    bc_services.businesscase_decide(
        bc,
        by=demo.directie,
        go=True,
        datum=date(2018, 3, 1),
        golive=date(2018, 9, 1),
        toelichting="Positief advies van de community; bouw start in het tweede kwartaal.",
    )
    corv = demo.move(corv, Status.ONTWIKKELING)
    demo.move(corv, Status.PRODUCTIE)
    bc_services.yearly_allocation_store(bc, 2019, by=demo.manager)


def _inwonercloud(demo: _Demo) -> None:
    cloud = demo.community(
        "inwonercloud",
        trekker="woerden",
        naam="Inwonercloud (Cumulus)",
        samenvatting="Een persoonlijke online omgeving waarin inwoners hun zaken en berichten van de gemeente zien.",
        beschrijving=(
            "Woerden ontwikkelde Cumulus als inwonercloud: inwoners loggen in met DigiD en zien de stand van "
            "hun aanvragen, hun berichten en hun documenten op één plek."
        ),
        status=Status.VERKENNING,
        domein=Domain.DIENSTVERLENING,
        platform="Kubernetes (Haven)",
        leverancier="Gemeente Woerden met een marktpartij",
        referentiecomponent="Portaalcomponent (Mijn-omgeving)",
        standaarden="ZGW API's, DigiD, NL GOV API Design Rules",
    )
    demo.coordinator(cloud, "woerden@beware.demo")
    demo.join(cloud, "woerden", date(2018, 2, 1))
    demo.join(cloud, "eindhoven", date(2018, 5, 1))
    bc = demo.business_case(
        cloud,
        [
            (Kind.ONTWIKKELING, "Doorontwikkeling Cumulus tot gedeeld product", Decimal("60000.00")),
            (Kind.IMPLEMENTATIE, "Aansluiten van de deelnemers", Decimal("10000.00")),
            (Kind.HOSTING, "Hosting op Haven", Decimal("6000.00")),
            (Kind.LICENTIES, "Licenties voor de zoekfunctie", Decimal("1500.00")),
        ],
        titel="Inwonercloud voor alle deelnemers",
        probleem="Inwoners moeten hun zaken bij de gemeente via losse kanalen volgen.",
        doel="Eén persoonlijke omgeving voor inwoners, gedeeld door de deelnemers.",
        horizon_jaren=5,
        hosting="Op het Haven-cluster van Woerden.",
        beheer="Woerden voert het beheer uit voor de community.",
        verantwoordelijkheid="Elke deelnemer blijft verantwoordelijk voor de eigen gegevens.",
        verdeelsleutel=Key.GELIJK,
    )
    bc_services.businesscase_submit(bc, by=demo.manager)
    bc_services.businesscase_decide(
        bc, by=demo.directie, go=True, datum=date(2018, 9, 15), golive=date(2019, 3, 1), toelichting="Gelijke delen."
    )
    cloud = demo.move(cloud, Status.ONTWIKKELING)
    demo.move(cloud, Status.PRODUCTIE)


def _subsidiesysteem(demo: _Demo) -> None:
    subsidie = demo.community(
        "subsidiesysteem",
        trekker="eindhoven",
        naam="Subsidiesysteem",
        samenvatting="Aanvragen, beoordelen en verantwoorden van subsidies in één systeem.",
        beschrijving="Eindhoven vervangt zijn verouderde subsidieadministratie door een eigen, deelbaar systeem.",
        status=Status.VERKENNING,
        domein=Domain.FINANCIEN,
        referentiecomponent="Subsidiecomponent",
        standaarden="ZGW API's, Open Formulieren",
    )
    demo.join(subsidie, "eindhoven", date(2021, 3, 1))
    demo.move(subsidie, Status.ONTWIKKELING)
    demo.business_case(
        subsidie,
        [
            (Kind.ONTWIKKELING, "Bouw van het subsidiesysteem", Decimal("85000.00")),
            (Kind.IMPLEMENTATIE, "Migratie van lopende subsidies", Decimal("15000.00")),
            (Kind.BEHEER, "Functioneel beheer", Decimal("7500.00")),
            (Kind.PERSONEEL_EENMALIG, "Inzet subsidieadviseurs bij het ontwerp", Decimal("240"), Decimal("78.00")),
            (Kind.PERSONEEL_JAARLIJKS, "Productowner", Decimal("200"), Decimal("92.50")),
        ],
        titel="Subsidiesysteem",
        probleem="De subsidieadministratie draait op spreadsheets en een verouderd pakket.",
        doel="Een systeem dat inwoners en organisaties digitaal laat aanvragen en verantwoorden.",
        horizon_jaren=6,
        risicos="Migratie van lopende meerjarige subsidies.",
    )


def _zaaksysteem(demo: _Demo) -> None:
    zaak = demo.community(
        "zaaksysteem",
        trekker="mijngemeentedichtbij",
        naam="Zaaksysteem",
        samenvatting="Zaakgericht werken voor de gemeenten achter MijnGemeenteDichtbij, nu gedeeld.",
        beschrijving="Het zaaksysteem van Boxtel en Sint-Michielsgestel, beheerd door MijnGemeenteDichtbij.",
        status=Status.PRODUCTIE,
        domein=Domain.BEDRIJFSVOERING,
        referentiecomponent="Zaakafhandelcomponent",
        standaarden="ZGW API's, StUF-ZKN",
    )
    demo.coordinator(zaak, "boxtel@beware.demo")
    demo.join(zaak, "mijngemeentedichtbij", date(2017, 3, 1))
    demo.join(zaak, "eindhoven", date(2019, 6, 1))
    demo.move(zaak, Status.BEHEER)


def _burgerzaken(demo: _Demo) -> None:
    burgerzaken = demo.community(
        "burgerzakenmodules",
        trekker="eindhoven",
        naam="Burgerzakenmodules",
        samenvatting="Gedeelde modules voor verhuizen, uittreksels en afspraken bij burgerzaken.",
        beschrijving="De drie oprichters verkennen samen welke burgerzakenprocessen ze met één oplossing bedienen.",
        status=Status.VERKENNING,
        domein=Domain.BURGERZAKEN,
        referentiecomponent="Burgerzakencomponent",
        standaarden="Haal Centraal BRP bevragen, ZGW API's",
    )
    for code in ("eindhoven", "mijngemeentedichtbij", "woerden"):
        demo.join(burgerzaken, code, date(2024, 9, 1))
    bc = demo.business_case(
        burgerzaken,
        [
            (Kind.ONTWIKKELING, "Bouw van de modules verhuizen en uittreksels", Decimal("120000.00")),
            (Kind.HOSTING, "Hosting", Decimal("8000.00")),
            (Kind.BEHEER, "Beheer en updates", Decimal("12000.00")),
            (Kind.PERSONEEL_EENMALIG, "Inzet burgerzakenspecialisten", Decimal("300"), Decimal("80.00")),
        ],
        titel="Burgerzakenmodules",
        probleem="Elke gemeente koopt losse burgerzakenmodules in, met eigen koppelingen op de BRP.",
        doel="Gedeelde modules op de Haal Centraal API's, naar inwoners verdeeld.",
        horizon_jaren=5,
        risicos="Planning van Haal Centraal; aanbesteding van de bouw.",
        verdeelsleutel=Key.INWONERS,
        peildatum=date(2025, 1, 1),
        afschrijvingsjaren=5,
    )
    bc_services.businesscase_submit(bc, by=demo.manager)


def _werk_en_inkomen(demo: _Demo) -> None:
    demo.community(
        "werk-en-inkomen",
        trekker="waadhoeke",
        naam="Werk-en-inkomen module",
        samenvatting="Een module voor uitkeringen en re-integratie, op initiatief van Noord-West Friesland.",
        beschrijving=(
            "De samenwerkende gemeenten in Noord-West Friesland zoeken partners voor een gedeelde module "
            "werk en inkomen."
        ),
        status=Status.IDEE,
        domein=Domain.SOCIAAL_DOMEIN,
        referentiecomponent="Sociaal domein-component",
        standaarden="Suwinet, iWlz",
    )


def _catalogue(demo: _Demo) -> None:
    """A few packages from the Common Ground catalogue."""
    forms = demo.community(
        "open-formulieren",
        trekker="woerden",
        naam="Open Formulieren",
        samenvatting="Slimme, toegankelijke e-formulieren die zaken aanmaken via de ZGW API's.",
        status=Status.VERKENNING,
        domein=Domain.DIENSTVERLENING,
        platform="Django / React",
        leverancier="Maykin Media",
        referentiecomponent="E-formulierencomponent",
        standaarden="ZGW API's, DigiD, eHerkenning",
        links="https://github.com/open-formulieren/open-forms\nhttps://open-forms.readthedocs.io/",
    )
    demo.join(forms, "woerden", date(2023, 4, 1))
    demo.community(
        "open-zaak",
        trekker="mijngemeentedichtbij",
        naam="Open Zaak",
        samenvatting="Registratie van zaken, documenten en besluiten volgens de ZGW API's.",
        status=Status.IDEE,
        domein=Domain.BEDRIJFSVOERING,
        platform="Django",
        leverancier="Maykin Media e.a.",
        referentiecomponent="Zaakregistratiecomponent",
        standaarden="ZGW API's",
        links="https://github.com/open-zaak/open-zaak",
    )
    signalen = demo.community(
        "signalen",
        trekker="eindhoven",
        naam="Signalen",
        samenvatting="Meldingen over de openbare ruimte ontvangen, routeren en afhandelen.",
        status=Status.VERKENNING,
        domein=Domain.RUIMTE,
        platform="Django / React",
        leverancier="Gemeente Amsterdam (open source)",
        referentiecomponent="Meldingencomponent",
        standaarden="NL GOV API Design Rules",
        links="https://github.com/Amsterdam/signals\nhttps://signalen.org/",
    )
    demo.join(signalen, "eindhoven", date(2024, 2, 1))
    woerden = demo.member("woerden")
    services.participation_request(
        signalen,
        woerden,
        by=Actor(user=User.objects.get(email="woerden@beware.demo"), member=woerden),
        toelichting="Woerden wil de meldingen openbare ruimte vervangen; graag doen we mee in de verkenning.",
    )
    demo.community(
        "open-inwoner",
        trekker="woerden",
        naam="Open Inwoner",
        samenvatting="Een persoonlijk inwonerplatform met zaken, contactmomenten en producten.",
        status=Status.IDEE,
        domein=Domain.SOCIAAL_DOMEIN,
        platform="Django",
        leverancier="Maykin Media",
        referentiecomponent="Portaalcomponent (Mijn-omgeving)",
        standaarden="ZGW API's, Klantinteracties API",
        links="https://github.com/maykinmedia/open-inwoner",
    )


@transaction.atomic
def seed_communities() -> bool:
    """Create the demo communities and business cases; False when they are already there."""
    if Community.objects.filter(slug="corv").exists():
        return False
    demo = _Demo()
    _corv(demo)
    _inwonercloud(demo)
    _subsidiesysteem(demo)
    _zaaksysteem(demo)
    _burgerzaken(demo)
    _werk_en_inkomen(demo)
    _catalogue(demo)
    return True
