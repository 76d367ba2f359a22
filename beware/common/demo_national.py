"""National-scale demo data (`seed_demo --scale national`), for benchmarks and
for seeing the portal full: on top of the founding situation (membership,
communities, invoicing and governance demo), about 342 gemeenten with ten
years of inwonertal, about 300 members (gemeenschappelijke regelingen among
them, representing several gemeenten), 100 communities with business cases
(decided go or no-go, and still open), late joiners with their settlements,
contributie for the last closed years with payments, and one ALV with polls.

Everything goes through the real services (admission steps, participation,
businesscase_decide, late_join_settle via participation, the contributie run,
businesscase billing, payment_register, meeting and poll services); only the
reference data (gemeenten and inwonertallen) is bulk-created, as in
membership.demo. The names and figures are fictional and marked as demo.

Deterministic: one random.Random(seed) drives every choice, in a fixed
order, and dates are fixed or follow `today` (the contributie years are the
last closed years; invoices are dated on the day they are finalised, as the
services do). Two runs on the same day give the same members, amounts,
invoice numbers and totals.

The invoice PDFs and e-invoices are not rendered while seeding (thousands of
WeasyPrint renderings would take many minutes): the invoices are final, and
the hourly catch-up task (`invoicing.tasks.catch_up`, Celery beat) renders
and sends them, 500 per run, or `render_documents()` does it at once
(`seed_demo --scale national --documents`)."""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from beware.accounts.models import User
from beware.common.audit import Actor

NATIONAL_PREFIX = "nl-"  # member codes of the national demo; their presence means it is there
SOURCE = "Demodata (fictief, orde van grootte van CBS 03759ned)"
FOUNDING_COMMUNITY_COUNT = 10


@dataclass(frozen=True)
class Scale:
    """Totals, the founding situation included."""

    gemeenten: int = 342
    members: int = 300
    communities: int = 100
    years: int = 3  # closed years of contributie
    seed: int = 2017


# --- helpers -----------------------------------------------------------------------


@contextmanager
def documents_deferred():
    """Finalised invoices are not rendered and mailed at once; the catch-up
    task (or render_documents) does it later. Restores the real functions."""
    from invoicing import services as invoicing_services

    saved = invoicing_services._render_and_send_quietly, invoicing_services._queue_documents
    invoicing_services._render_and_send_quietly = lambda invoice: None
    invoicing_services._queue_documents = lambda invoice_id: None
    try:
        yield
    finally:
        invoicing_services._render_and_send_quietly, invoicing_services._queue_documents = saved


@contextmanager
def tasks_in_process():
    """Billing after a decision runs in-process even when a broker is
    configured, so the seed is complete (and deterministic) when it returns."""
    from beware.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


def render_documents() -> int:
    """Render and send every finalised invoice that has no documents yet (what
    the catch-up task does, without its limit of 500 per run)."""
    from invoicing.models import Invoice
    from invoicing.tasks import render_and_send

    pending = (
        Invoice.objects.exclude(status=Invoice.Status.CONCEPT)
        .filter(pdf="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    with tasks_in_process():
        for invoice_id in list(pending):
            render_and_send.delay(invoice_id)
            done += 1
    return done


def _rsin(number: int) -> str:
    """A 9-digit RSIN passing the elfproef, from an 8-digit base."""
    while True:
        digits = [int(c) for c in f"{number:08d}"]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return f"{number:08d}{check}"
        number += 1


def _first_of_month(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


GEMEENTE_HEADS = [
    "Aal", "Beek", "Berg", "Bos", "Broek", "Dal", "Dijk", "Eem", "Eik", "Gouw", "Haven", "Heide", "Hoek", "Hol",
    "Horst", "Kamp", "Kerk", "Lin", "Meer", "Mol", "Rade", "Rijs", "Sluis", "Stein", "Veen", "Vliet", "Waard",
    "Wijk", "Woud", "Zand",
]  # fmt: skip
GEMEENTE_TAILS = [
    "dam", "dijk", "dorp", "drecht", "hout", "huizen", "kerk", "landen", "loo", "meer", "oord", "rode", "sloot",
    "stede", "veen", "vorde", "waarde", "wold", "zijl", "zande",
]  # fmt: skip

# (name, domain) of a shared application; communities are "<name>" or "<name> <variant>".
APPLICATIONS = [
    ("Parkeervergunningen", "ruimte"), ("Leerlingenvervoer", "sociaal_domein"), ("Afvalinzameling", "ruimte"),
    ("Omgevingsloket", "ruimte"), ("Klantcontactcentrum", "dienstverlening"), ("Schuldhulpverlening", "sociaal_domein"),
    ("Jeugdhulpregistratie", "sociaal_domein"), ("Wmo-aanvragen", "sociaal_domein"), ("Belastingheffing", "financien"),
    ("Grafrechtenbeheer", "burgerzaken"), ("Huwelijksplanner", "burgerzaken"), ("Evenementenvergunning", "veiligheid"),
    ("Subsidieportaal", "financien"), ("Archiefbeheer", "bedrijfsvoering"), ("Raadsinformatie", "bedrijfsvoering"),
    ("Meldingen openbare ruimte", "ruimte"), ("Bomenregister", "ruimte"), ("Vastgoedbeheer", "bedrijfsvoering"),
    ("Inkoopregister", "bedrijfsvoering"), ("Personeelsdossier", "bedrijfsvoering"),
    ("Inwonerpeiling", "dienstverlening"),
    ("Afsprakenplanner", "dienstverlening"), ("Reisdocumenten", "burgerzaken"), ("Verhuismodule", "burgerzaken"),
    ("Toeslagenwijzer", "sociaal_domein"), ("Participatiewet", "sociaal_domein"), ("Cameratoezicht", "veiligheid"),
    ("Crisisbeheersing", "veiligheid"), ("Handhaving", "veiligheid"), ("Begrotingsapp", "financien"),
    ("Debiteurenbeheer", "financien"), ("Wegbeheer", "ruimte"), ("Rioleringsbeheer", "ruimte"),
    ("Sportaccommodaties", "dienstverlening"), ("Bibliotheekkoppeling", "dienstverlening"),
    ("Zaakdashboard", "bedrijfsvoering"),
]  # fmt: skip
VARIANTS = ["", "Samen", "Regio", "Plus"]
GR_PATTERNS = ["Samenwerking {a}-{b}", "Bedrijfsvoeringsorganisatie {a}-{b}", "Werkorganisatie {a} en {b}"]


class _Seeder:
    def __init__(self, scale: Scale, today: date):
        self.scale = scale
        self.today = today
        self.rng = random.Random(scale.seed)
        users = {u.email: u for u in User.objects.filter(email__endswith="@beware.demo")}
        self.directie = Actor(user=users["directeur@beware.demo"])
        self.manager = Actor(user=users["manager@beware.demo"])
        self.rvc = Actor(user=users["rvc@beware.demo"])
        self.secretaris = Actor(user=users["secretaris@beware.demo"])
        self.representatives: dict[int, User] = {}  # member pk → its ALV representative
        for email, code in (("eindhoven@beware.demo", "eindhoven"), ("boxtel@beware.demo", "mijngemeentedichtbij")):
            self.representatives[self._member(code).pk] = users[email]
        self.representatives[self._member("woerden").pk] = users["woerden@beware.demo"]

    @staticmethod
    def _member(code: str):
        from membership.models import Member

        return Member.objects.get(code=code)

    # --- the register ------------------------------------------------------------

    def gemeenten(self) -> list:
        from membership.demo import DEMO_YEARS, demo_inwoners
        from membership.models import Gemeente, Inwonertal

        extra = max(0, self.scale.gemeenten - Gemeente.objects.count())
        names = [head + tail for head in GEMEENTE_HEADS for tail in GEMEENTE_TAILS]
        self.rng.shuffle(names)
        made = Gemeente.objects.bulk_create(Gemeente(code=f"GM{2001 + n:04d}", naam=names[n]) for n in range(extra))
        made = list(Gemeente.objects.filter(code__in=[g.code for g in made]).order_by("code"))
        figures = []
        for gemeente in made:
            base = int(min(400_000, max(900, self.rng.lognormvariate(10.2, 0.8))))
            growth = self.rng.randint(-3, 9)
            figures += [
                Inwonertal(
                    gemeente=gemeente,
                    jaar=jaar,
                    aantal=demo_inwoners(base, growth, jaar),
                    bron=SOURCE,
                    status=Inwonertal.Status.DEFINITIEF if jaar < DEMO_YEARS.stop - 1 else Inwonertal.Status.VOORLOPIG,
                    is_demo=True,
                )
                for jaar in DEMO_YEARS
            ]
        Inwonertal.objects.bulk_create(figures, batch_size=1000)
        return made

    def members(self, gemeenten: list) -> list:
        """Applications admitted through the real steps; some gemeenschappelijke
        regelingen (two to four gemeenten each), a few applications and
        prospects still open. Returns the active ones, in the order made."""
        from membership import services
        from membership.models import Member, MemberRole

        extra = max(0, self.scale.members - Member.objects.count())
        pool = list(gemeenten)
        last_year = self.today.year - 1
        active = []
        for n in range(extra):
            if not pool:
                break
            code = f"{NATIONAL_PREFIX}{n + 1:03d}"
            is_gr = self.rng.random() < 0.06 and len(pool) >= 4
            represented = [pool.pop(0) for _ in range(self.rng.randint(2, 4) if is_gr else 1)]
            roll = self.rng.random()
            status = "belangstelling" if roll < 0.03 else "aanvraag" if roll < 0.07 else "actief"
            # Joined between the founding and last year, most in the early years.
            year = min(last_year, 2017 + int(self.rng.triangular(0, last_year - 2017 + 1, 1)))
            ingang = _first_of_month(year, self.rng.randint(2 if year == 2017 else 1, 12))
            if is_gr:
                names = [g.naam for g in represented]
                naam = self.rng.choice(GR_PATTERNS).format(a=names[0], b=names[1])
                soort = Member.Kind.GEMEENSCHAPPELIJKE_REGELING
                ids = {"kvk": f"{50_000_000 + n * 7_919:08d}"}
            else:
                naam = f"Gemeente {represented[0].naam}"
                soort = Member.Kind.GEMEENTE
                ids = {"oin": f"00000001{_rsin(10_000_000 + n * 104_729)}000"}
            member = services.member_apply(
                by=self.manager,
                code=code,
                naam=naam,
                soort=soort,
                gemeenten=represented,
                vertegenwoordigt_vanaf=ingang if status == "actief" else self.today,
                status="belangstelling" if status == "belangstelling" else "aanvraag",
                adres=f"Raadhuisplein {n % 40 + 1}",
                postcode=f"{1000 + n * 23 % 8900:04d} {'ABCDEFGHJK'[n % 10]}{'LMNPRSTVWX'[n % 7]}",
                plaats=represented[0].naam,
                factuur_email=f"facturen@{code}.demo",
                **ids,
            )
            if status != "actief":
                continue
            services.member_take_step(member, "rvc_goedkeuren", by=self.rvc, toelichting="Past bij de doelstelling.")
            services.member_take_step(member, "toelaten", by=self.directie, datum=ingang)
            member = services.member_take_step(member, "overeenkomst_ondertekend", by=self.manager, datum=ingang)
            user = User.objects.create_user(
                email=f"alv@{code}.demo", password=None, first_name="Vertegenwoordiger", last_name=naam
            )  # invited later; no password of its own yet
            for role in (MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER):
                services.member_role_grant(user, member, role, by=self.directie)
            self.representatives[member.pk] = user
            for jaar in range(ingang.year, self.today.year + 1):
                services.factuurkenmerk_set(member, jaar=jaar, kenmerk=f"INK-{jaar}-{n + 1:03d}", by=self.directie)
            active.append(member)
        return active

    # --- communities and business cases ------------------------------------------

    def _eligible(self, members: list, on: date, exclude=()) -> list:
        excluded = {m.pk for m in exclude}
        return [m for m in members if m.ingangsdatum <= on and m.pk not in excluded]

    def _join(self, community, member, datum: date, *, request: bool = False) -> None:
        from communities import services

        if request:  # the representative asks, the manager accepts (the portal's path)
            participation = services.participation_request(
                community,
                member,
                by=Actor(user=self.representatives[member.pk], member=member),
                toelichting="Wij willen graag deelnemen.",
            )
            services.participation_accept(participation, by=self.manager, datum=datum)
        else:
            services.participation_add(community, member, by=self.manager, datum=datum)

    def communities(self, active: list) -> dict[str, int]:
        from businesscases import services as bc_services
        from businesscases.models import BusinessCase, CostLine
        from communities import services
        from communities.models import Community

        extra = max(0, self.scale.communities - Community.objects.count())
        names = [(f"{app} {variant}".strip(), domain) for variant in VARIANTS for app, domain in APPLICATIONS]
        stats = {"go": 0, "no-go": 0, "open": 0, "zonder": 0, "late": 0}
        last_year = self.today.year - 1
        for n in range(min(extra, len(names))):
            naam, domein = names[n]
            start = _first_of_month(self.rng.randint(2018, max(2018, last_year - 1)), self.rng.randint(1, 12))
            candidates = self._eligible(active, start)
            if not candidates:
                continue
            size = min(len(candidates), 1 + int(self.rng.paretovariate(1.3)), 25)
            participants = self.rng.sample(candidates, size)
            trekker = participants[0]
            community = services.community_create(
                by=self.manager,
                slug=f"{NATIONAL_PREFIX}{n + 1:03d}",
                naam=naam,
                samenvatting=f"Gedeelde voorziening voor {naam.lower()}, op initiatief van {trekker.naam}.",
                beschrijving="Demodata op landelijke schaal.",
                status=Community.Status.VERKENNING,
                domein=domein,
                trekker=trekker,
            )
            for index, member in enumerate(participants):
                self._join(community, member, start + timedelta(days=7 * index))
            roll = self.rng.random()
            if roll < 0.3:
                stats["zonder"] += 1
                continue
            one_off = Decimal(self.rng.randrange(20_000, 250_000, 500))
            costs = [(CostLine.Kind.ONTWIKKELING, "Bouw en eerste oplevering", one_off)]
            if self.rng.random() < 0.5:
                costs.append((CostLine.Kind.IMPLEMENTATIE, "Aansluiten van de deelnemers", one_off / 5))
            yearly = self.rng.random() < 0.6
            if yearly:
                costs.append((CostLine.Kind.HOSTING, "Hosting", Decimal(self.rng.randrange(2_000, 20_000, 100))))
                costs.append((CostLine.Kind.BEHEER, "Beheer", Decimal(self.rng.randrange(3_000, 30_000, 100))))
            bc = bc_services.businesscase_create(
                community,
                by=self.manager,
                titel=naam,
                probleem="Elke gemeente regelt dit nu zelf.",
                doel="Eén gedeelde voorziening.",
                horizon_jaren=5,
                verdeelsleutel=BusinessCase.Key.GELIJK if self.rng.random() < 0.15 else BusinessCase.Key.INWONERS,
                afschrijvingsjaren=5 if self.rng.random() < 0.3 else None,
            )
            for soort, omschrijving, bedrag in costs:
                bc_services.cost_line_add(bc, by=self.manager, soort=soort, omschrijving=omschrijving, bedrag=bedrag)
            if roll < 0.4:
                stats["open"] += 1  # still a concept
                continue
            bc_services.businesscase_submit(bc, by=self.manager)
            if roll < 0.45:
                stats["open"] += 1  # waiting for the directie
                continue
            decided = start + timedelta(days=7 * size + 30)
            if roll < 0.55:
                bc_services.businesscase_decide(
                    bc, by=self.directie, go=False, datum=decided, toelichting="Te weinig deelnemers."
                )
                stats["no-go"] += 1
                continue
            golive = decided + timedelta(days=180)
            bc = bc_services.businesscase_decide(
                bc, by=self.directie, go=True, datum=decided, golive=golive, toelichting="Positief advies."
            )
            stats["go"] += 1
            services.community_update(community, by=self.manager, status=Community.Status.ONTWIKKELING)
            if golive <= self.today:
                services.community_update(community, by=self.manager, status=Community.Status.PRODUCTIE)
            # Late joiners, after the go-live.
            if self.rng.random() < 0.35 and golive < self.today:
                for k in range(self.rng.randint(1, 3)):
                    datum = min(self.today, golive + timedelta(days=self.rng.randint(30, 900)))
                    late = self._eligible(active, datum, exclude=participants)
                    if not late:
                        break
                    member = self.rng.choice(late)
                    participants.append(member)
                    self._join(community, member, datum, request=k % 2 == 1)
                    stats["late"] += 1
            if yearly:
                for jaar in self.contribution_years():
                    if golive.year <= jaar:
                        bc_services.yearly_allocation_store(bc, jaar, by=self.manager)
        return stats

    def corv_late_joiners(self, active: list, count: int) -> int:
        """CORV "in use by 91 gemeenten": members join the decided CORV
        community late, each settling with all earlier participants."""
        from communities.models import Community

        corv = Community.objects.get(slug="corv")
        taken = set(corv.participations.values_list("member_id", flat=True))
        joined = 0
        for k in range(count):
            datum = _first_of_month(2019 + k * (self.today.year - 2019) // max(count, 1), 1 + (k * 5) % 12)
            datum = min(datum, self.today)
            candidates = [m for m in self._eligible(active, datum) if m.pk not in taken]
            if not candidates:
                continue
            member = self.rng.choice(candidates)
            self._join(corv, member, datum, request=k % 3 == 2)
            taken.add(member.pk)
            joined += 1
        return joined

    # --- invoices and payments -----------------------------------------------------

    def contribution_years(self) -> range:
        return range(self.today.year - self.scale.years, self.today.year)

    def contributie(self) -> int:
        from invoicing import services
        from invoicing.models import Batch, BatchItem

        made = 0
        for jaar in self.contribution_years():
            batch = Batch.objects.create(soort=Batch.Kind.CONTRIBUTIE, jaar=jaar, gestart_door=self.directie.user)
            services.contribution_batch_run(batch)
            made += BatchItem.objects.filter(batch=batch, uitkomst=BatchItem.Outcome.AANGEMAAKT).count()
        return made

    def payments(self) -> int:
        """Most invoices paid in full, some in part, some still open."""
        from invoicing import selectors, services
        from invoicing.models import Invoice

        paid = 0
        open_invoices = Invoice.objects.filter(soort=Invoice.Kind.FACTUUR, status=Invoice.Status.OPEN).order_by(
            "jaar", "volgnummer"
        )
        for invoice in open_invoices:
            roll = self.rng.random()
            if roll < 0.12:
                continue
            remaining = selectors.open_amount(invoice)  # credit notes count as paid
            bedrag = remaining if roll >= 0.2 else (remaining / 2).quantize(Decimal("0.01"))
            if bedrag <= 0:
                continue
            services.payment_register(invoice, by=self.directie, datum=self.today, bedrag=bedrag, kenmerk="Demo")
            paid += 1
        return paid

    # --- the ALV -------------------------------------------------------------------

    def alv(self, active: list) -> dict:
        """An online ALV four weeks ahead: convened, three agenda items with a
        poll each, proxies approved, most members checked in; the first poll
        voted and closed, the second open with most votes in, the third ready."""
        from governance import services
        from governance.models import PollVoter

        year = self.today.year
        alv = services.ensure_statutory_bodies()["alv"]
        meeting = services.meeting_record(
            by=self.secretaris,
            body=alv,
            datum=self.today + timedelta(days=28),
            titel=f"Algemene ledenvergadering {year} (landelijk)",
            online=True,
            voorzitter=self.secretaris.user,
        )
        services.meeting_convene(by=self.secretaris, meeting=meeting)
        polls = []
        for titel, vraag in [
            (f"Jaarrekening {year - 1}", f"Vaststelling jaarrekening {year - 1}"),
            (f"Begroting {year + 1} (landelijk)", f"Vaststelling begroting {year + 1}"),
            (f"Contributietarief {year + 1}", f"Contributie {year + 1}: € 0,35 per inwoner"),
        ]:
            item = services.agenda_item_add(by=self.secretaris, meeting=meeting, titel=titel, voorstel=vraag)
            polls.append(services.poll_create(by=self.secretaris, body=alv, vraag=vraag, regel="alv", agenda_item=item))
        voters = [m for m in active if m.pk in self.representatives]
        order = sorted(voters, key=lambda m: m.code)
        self.rng.shuffle(order)
        pairs = min(10, len(order) // 4)
        grantors, holders = order[:pairs], order[pairs : 2 * pairs]
        proxies = []
        for grantor, holder in zip(grantors, holders, strict=True):
            proxies.append(
                services.proxy_grant(
                    by=Actor(user=self.representatives[grantor.pk], member=grantor),
                    meeting=meeting,
                    gevolmachtigde=holder,
                    ondertekenen=True,
                )
            )
        for proxy in proxies:
            services.proxy_decide(by=self.secretaris, proxy=proxy, approve=True)
        present = [m for m in order[pairs:] if m.code == "eindhoven" or m in holders or self.rng.random() < 0.8]
        for member in sorted(present, key=lambda m: m.code):
            services.attendance_check_in(by=self.secretaris, meeting=meeting, member=member)
        cast = 0
        for index, poll in enumerate(polls[:2]):
            poll = services.poll_open(by=self.secretaris, poll=poll)
            for voter in PollVoter.objects.filter(poll=poll, aanwezig=True).select_related("member").order_by("pk"):
                holder = voter.gevolmachtigde or voter.member
                if index == 1 and (voter.member.code == "eindhoven" or self.rng.random() < 0.3):
                    continue  # not voted yet: the open poll still shows a ballot
                roll = self.rng.random()
                keuze = "voor" if roll < 0.8 else "tegen" if roll < 0.93 else "onthouding"
                services.ballot_cast(
                    by=Actor(user=self.representatives[holder.pk], member=holder), poll=poll, voter=voter, keuze=keuze
                )
                cast += 1
            if index == 0:
                services.poll_close(by=self.secretaris, poll=poll)
        # Names, not ids: ids differ between databases (PostgreSQL keeps its sequences across a flush).
        return {"vergadering": meeting.titel, "aanwezig": len(present), "stemmen": cast, "open_poll": polls[1].vraag}


def seed_national(
    *,
    gemeenten: int = Scale.gemeenten,
    members: int = Scale.members,
    communities: int = Scale.communities,
    years: int = Scale.years,
    corv_late_joiners: int = 12,
    seed: int = Scale.seed,
    today: date | None = None,
    log=None,
) -> dict | None:
    """Grow the founding demo (membership.demo and the others, already seeded)
    to national scale. Returns what was made, or None when it is already there.
    The sizes are totals including the founding situation. `today` decides the
    contributie years and the ALV date; it must not lie after the real today
    (the services refuse future joins and payments)."""
    import time

    from membership.models import Member

    if Member.objects.filter(code__startswith=NATIONAL_PREFIX).exists():
        return None
    log = log or (lambda text: None)
    today = today or timezone.localdate()
    seeder = _Seeder(Scale(gemeenten, members, communities, years, seed), today)
    summary = {}
    started = time.monotonic()

    def step(name, value):
        summary[name] = value
        log(f"  {name}: {value} ({time.monotonic() - started:.0f} s)")

    with documents_deferred(), tasks_in_process():
        # The register, communities and business cases in one transaction;
        # what they stored is billed when it commits (the services' on_commit).
        with transaction.atomic():
            made = seeder.gemeenten()
            step("gemeenten", len(made))
            active = seeder.members(made)
            step("actieve leden", len(active))
            # The founding members take part too (they have their factuurkenmerken).
            founders = list(Member.objects.filter(code__in=["eindhoven", "mijngemeentedichtbij", "woerden"]))
            everyone = sorted(founders + active, key=lambda m: m.code)
            step("communities", seeder.communities(everyone))
            step("late toetreders CORV", seeder.corv_late_joiners(active, corv_late_joiners))
        step("contributiefacturen", seeder.contributie())
        with transaction.atomic():
            step("betalingen", seeder.payments())
        with transaction.atomic():
            step("ALV", seeder.alv(everyone))
    return summary
