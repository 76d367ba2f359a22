"""Demo data for the member register: the founding situation of DOMAIN.md §1,
built through the real services. Inwonertallen are fictional demo figures in
the right order of magnitude, marked as such."""

from datetime import date

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import transaction

from beware.accounts.models import User
from beware.accounts.roles import StaffRole
from beware.common.audit import Actor

from . import services
from .models import Contact, Gemeente, Inwonertal, Member, MemberRole

DEMO_PASSWORD = "Beware-demo-2026!"
# A fixed TOTP secret for the demo directie and RvC accounts, so an
# authenticator app can be set up from the README; never used outside the demo.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_YEARS = range(2017, 2027)
FOUNDED = date(2017, 1, 12)

# code, naam, inwoners on 1 January 2017 (demo), yearly growth in per mille
GEMEENTEN = [
    ("GM0772", "Eindhoven", 227_000, 8),
    ("GM0757", "Boxtel", 30_600, 4),
    ("GM0845", "Sint-Michielsgestel", 28_600, 5),
    ("GM0632", "Woerden", 51_500, 6),
    ("GM0794", "Helmond", 90_900, 7),
    ("GM0797", "Heusden", 43_700, 5),
    ("GM0072", "Harlingen", 15_800, -1),
    ("GM1949", "Waadhoeke", 46_000, 0),
    ("GM0093", "Terschelling", 4_850, 2),
    ("GM0096", "Vlieland", 1_130, 3),
    ("GM1960", "West Betuwe", 50_000, 6),
]

STAFF_USERS = [
    ("directeur@beware.demo", "Dirk", "de Directeur", StaffRole.DIRECTIE),
    ("manager@beware.demo", "Mila", "Manager", StaffRole.OPERATIONEEL_MANAGER),
    ("rvc@beware.demo", "Rinske", "van der Raad", StaffRole.RVC),
    ("secretaris@beware.demo", "Sam", "Secretaris", StaffRole.SECRETARIS),
]

MEMBER_USERS = [
    (
        "eindhoven@beware.demo",
        "Esther",
        "Eindhoven",
        "eindhoven",
        [MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER],
    ),
    ("financien@beware.demo", "Frank", "Financiën", "eindhoven", [MemberRole.Role.FINANCIEEL_CONTACT]),
    (
        "boxtel@beware.demo",
        "Bram",
        "Boxtel",
        "mijngemeentedichtbij",
        [MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER],
    ),
    (
        "woerden@beware.demo",
        "Wendy",
        "Woerden",
        "woerden",
        [MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.COMMUNITY_CONTACT],
    ),
]


def demo_inwoners(base: int, growth_per_mille: int, jaar: int) -> int:
    return round(base * (1 + growth_per_mille / 1000) ** (jaar - DEMO_YEARS.start))


def demo_logins() -> list[tuple[str, str]]:
    staff = [(email, role.label) for email, _, _, role in STAFF_USERS]
    members = [
        (email, ", ".join(MemberRole.Role(r).label for r in roles) + f" ({code})")
        for email, _, _, code, roles in MEMBER_USERS
    ]
    return staff + members


def _user(email, first, last) -> User:
    return User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)


@transaction.atomic
def seed_founding_situation() -> bool:
    """Create the demo register; False when it is already there."""
    if Member.objects.filter(code="eindhoven").exists():
        return False
    Actor.system()
    staff = {}
    for email, first, last, role in STAFF_USERS:
        user = _user(email, first, last)
        user.groups.add(Group.objects.get(name=role.value))
        TOTP.activate(user, DEMO_TOTP_SECRET)  # every staff role needs MFA
        staff[role] = Actor(user=user)

    gemeenten = {}
    for code, naam, base, growth in GEMEENTEN:
        gemeenten[naam] = Gemeente.objects.create(code=code, naam=naam)
        Inwonertal.objects.bulk_create(
            Inwonertal(
                gemeente=gemeenten[naam],
                jaar=jaar,
                aantal=demo_inwoners(base, growth, jaar),
                bron="Demodata (fictief, orde van grootte van CBS 03759ned)",
                status=Inwonertal.Status.DEFINITIEF if jaar < DEMO_YEARS.stop - 1 else Inwonertal.Status.VOORLOPIG,
                is_demo=True,
            )
            for jaar in DEMO_YEARS
        )

    om = staff[StaffRole.OPERATIONEEL_MANAGER]

    def apply(code, naam, soort, represented, since, status="aanvraag", **fields):
        return services.member_apply(
            by=om,
            code=code,
            naam=naam,
            soort=soort,
            gemeenten=[gemeenten[g] for g in represented],
            vertegenwoordigt_vanaf=since,
            status=status,
            **fields,
        )

    def admit(member, ingangsdatum):
        services.member_take_step(
            member, "rvc_goedkeuren", by=staff[StaffRole.RVC], toelichting="Past bij de doelstelling."
        )
        services.member_take_step(member, "toelaten", by=staff[StaffRole.DIRECTIE], datum=ingangsdatum)
        services.member_take_step(member, "overeenkomst_ondertekend", by=om, datum=ingangsdatum)

    eindhoven = apply(
        "eindhoven",
        "Gemeente Eindhoven",
        Member.Kind.GEMEENTE,
        ["Eindhoven"],
        FOUNDED,
        oin="00000001001902763000",
        adres="Stadhuisplein 10",
        postcode="5611 EM",
        plaats="Eindhoven",
        factuur_email="crediteuren@eindhoven.demo",
    )
    mgd = apply(
        "mijngemeentedichtbij",
        "MijnGemeenteDichtbij",
        Member.Kind.GEMEENSCHAPPELIJKE_REGELING,
        ["Boxtel", "Sint-Michielsgestel"],
        FOUNDED,
        adres="Markt 1",
        postcode="5281 AK",
        plaats="Boxtel",
        factuur_email="facturen@mijngemeentedichtbij.demo",
    )
    for member in (eindhoven, mgd):
        admit(member, FOUNDED)
    woerden = apply(
        "woerden",
        "Gemeente Woerden",
        Member.Kind.GEMEENTE,
        ["Woerden"],
        date(2017, 10, 1),
        adres="Blekerijlaan 14",
        postcode="3447 GR",
        plaats="Woerden",
    )
    admit(woerden, date(2017, 10, 1))

    # Interested parties: an application waiting for the RvC, and prospects.
    today = date.today()
    apply("helmond", "Gemeente Helmond", Member.Kind.GEMEENTE, ["Helmond"], today, plaats="Helmond")
    apply(
        "heusden",
        "Gemeente Heusden",
        Member.Kind.GEMEENTE,
        ["Heusden"],
        today,
        status="belangstelling",
        plaats="Vlijmen",
    )
    # The samenwerkende gemeenten in Noord-West Friesland have no legal
    # personality together: each gemeente would join itself.
    for naam in ("Harlingen", "Waadhoeke", "Terschelling", "Vlieland"):
        apply(naam.lower(), f"Gemeente {naam}", Member.Kind.GEMEENTE, [naam], today, status="belangstelling")
    apply(
        "bvo-west-betuwe",
        "Bedrijfsvoeringsorganisatie West Betuwe",
        Member.Kind.GEMEENSCHAPPELIJKE_REGELING,
        ["West Betuwe"],
        today,
        status="belangstelling",
    )

    directie = staff[StaffRole.DIRECTIE]
    members = {m.code: m for m in (eindhoven, mgd, woerden)}
    for email, first, last, code, roles in MEMBER_USERS:
        user = _user(email, first, last)
        for role in roles:
            services.member_role_grant(user, members[code], role, by=directie)
    contacts = [
        (
            eindhoven,
            "Esther Eindhoven",
            "Wethouder dienstverlening",
            "eindhoven@beware.demo",
            Contact.Role.ALV_VERTEGENWOORDIGER,
        ),
        (eindhoven, "Frank Financiën", "Teamleider crediteuren", "financien@beware.demo", Contact.Role.FINANCIEEL),
        (
            mgd,
            "Bram Boxtel",
            "Directeur MijnGemeenteDichtbij",
            "boxtel@beware.demo",
            Contact.Role.ALV_VERTEGENWOORDIGER,
        ),
        (mgd, "Fenna Facturen", "Financieel adviseur", "facturen@mijngemeentedichtbij.demo", Contact.Role.FINANCIEEL),
        (woerden, "Wendy Woerden", "Informatiemanager", "woerden@beware.demo", Contact.Role.ALV_VERTEGENWOORDIGER),
    ]
    for member, naam, functie, email, rol in contacts:
        services.contact_add(member, by=directie, naam=naam, functie=functie, email=email, rol=rol)
    services.factuurkenmerk_set(eindhoven, jaar=today.year, kenmerk=f"INK-{today.year}-0772", by=directie)
    services.factuurkenmerk_set(mgd, jaar=today.year, kenmerk=f"MGD/{today.year}/118", by=directie)
    return True
