"""Writes for invoicing. Money is never lost or silently changed: charges are
unique per origin, finalised invoices are immutable, corrections are credit
notes, and every write is in the audit log."""

import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beware.common import audit
from beware.common.audit import Actor
from beware.common.permissions import require
from beware.common.templatetags.money import decimal_plain, euro
from businesscases.models import BusinessCase, Settlement, SettlementCredit, Share, YearlyAllocationLine
from communities.models import ApplicationActor, Community
from membership import admission
from membership.models import Member
from membership.selectors import InwonersUnknown, member_inwoners

from . import amounts, data, selectors
from .models import (
    Batch,
    BatchItem,
    Charge,
    ChargeKind,
    ContributionRate,
    Invoice,
    InvoiceLine,
    NumberSeries,
    Payment,
    Reminder,
    UsageCount,
)

logger = logging.getLogger(__name__)

MANAGE = selectors.MANAGE
PAYMENT_TERM_DAYS = 30
SERIES_LETTER = {Invoice.Kind.FACTUUR: "F", Invoice.Kind.CREDITNOTA: "C"}


# --- charges ---------------------------------------------------------------


def charge_get_or_create(*, member: Member, soort: str, bron: str, bedrag: Decimal, **fields) -> tuple[Charge, bool]:
    """The charge for one origin, created once. The unique `bron` makes a
    second run (or a concurrent one) find the first charge instead;
    get_or_create retries the lookup when the insert loses that race."""
    categorie, percentage = selectors.vat_for(soort)
    return Charge.objects.get_or_create(
        bron=bron,
        defaults={
            "member": member,
            "soort": soort,
            "bedrag": bedrag,
            "btw_categorie": categorie,
            "btw_percentage": percentage,
            **fields,
        },
    )


# --- invoices --------------------------------------------------------------


def invoice_draft(
    member: Member,
    charges: list[Charge],
    *,
    by: Actor,
    omschrijving: str,
    kenmerk_jaar: int | None = None,
    soort: str = Invoice.Kind.FACTUUR,
    corrects: Invoice | None = None,
    batch: Batch | None = None,
    audited: bool = True,
) -> Invoice:
    """A draft (no number yet) with one line per charge. `audited=False` is
    for a draft finalised in the same transaction: the finalise event names
    its charges, and a draft that never committed needs no event of its own."""
    require(by, MANAGE)
    if not charges:
        raise ValidationError({"regels": "Een factuur heeft ten minste één regel."})
    if any(c.member_id != member.pk for c in charges):
        raise ValidationError({"regels": "Alle posten van een factuur horen bij hetzelfde lid."})
    _check_vat_mix(c.btw_categorie for c in charges)
    with transaction.atomic():
        invoice = Invoice.objects.create(
            soort=soort,
            member=member,
            omschrijving=omschrijving,
            corrects=corrects,
            batch=batch,
            koper={"kenmerk_jaar": kenmerk_jaar} if kenmerk_jaar else {},
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                charge=charge,
                omschrijving=charge.omschrijving,
                periode_van=charge.periode_van,
                periode_tot=charge.periode_tot,
                aantal=charge.aantal,
                eenheidsprijs=charge.eenheidsprijs,
                bedrag=charge.bedrag,
                btw_categorie=charge.btw_categorie,
                btw_percentage=charge.btw_percentage,
                volgorde=position,
            )
            for position, charge in enumerate(charges)
        )
        if audited:
            audit.record(
                "invoice.draft",
                actor=by,
                obj=invoice,
                data={"lid": member.code, "soort": soort, "posten": [c.bron for c in charges]},
            )
    return invoice


def _check_vat_mix(categories) -> None:
    categories = set(categories)
    if data.NOT_SUBJECT in categories and len(categories) > 1:
        raise ValidationError(
            {"regels": "Bedragen die niet onderworpen zijn aan btw (O) staan op een eigen factuur (EN 16931 BR-O-11)."}
        )


def _next_number(jaar: int, soort: str) -> tuple[int, str]:
    """Lock the year's series and take its next number; gapless because the
    lock is held until the finalising transaction commits or rolls back."""
    NumberSeries.objects.bulk_create([NumberSeries(jaar=jaar, soort=soort)], ignore_conflicts=True)
    series = NumberSeries.objects.select_for_update().get(jaar=jaar, soort=soort)
    series.laatste += 1
    series.save(update_fields=["laatste"])
    return series.laatste, f"{jaar}-{SERIES_LETTER[soort]}-{series.laatste:05d}"


def invoice_finalise(
    invoice: Invoice, *, by: Actor, datum: date | None = None, queue_documents: bool = True
) -> Invoice:
    """Give the draft its number, totals, buyer snapshot and due date, in one
    transaction. Documents are rendered and sent after commit (by a task, or
    by the caller when queue_documents is False)."""
    require(by, MANAGE)
    datum = datum or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.is_final:
            raise ValidationError({"status": f"{invoice.get_soort_display()} {invoice.nummer} is al definitief."})
        reserved = invoice.totaal_incl  # a draft credit note reserves its amount
        lines = list(invoice.lines.select_related("charge"))
        if not lines:
            raise ValidationError({"regels": "Een factuur zonder regels kan niet definitief worden."})
        _check_vat_mix(line.btw_categorie for line in lines)
        if any(line.charge_id and line.charge.member_id != invoice.member_id for line in lines):
            raise ValidationError({"regels": "Een post op deze factuur hoort bij een ander lid."})
        kenmerk_jaar = invoice.koper.get("kenmerk_jaar") or datum.year
        kenmerk = selectors.factuurkenmerk(invoice.member, kenmerk_jaar)
        if not kenmerk:
            raise ValidationError(
                {"factuurkenmerk": f"{invoice.member.naam} heeft geen factuurkenmerk voor {kenmerk_jaar}."}
            )
        member = invoice.member
        if not (member.oin or member.kvk):
            raise ValidationError(
                {"oin": f"{member.naam} heeft geen OIN en geen KvK-nummer; de e-factuur vraagt een van beide."}
            )
        subtotals = data.vat_subtotals(
            [data.Line(line.omschrijving, line.bedrag, line.btw_categorie, line.btw_percentage) for line in lines]
        )
        invoice.totaal_excl = sum((s.grondslag for s in subtotals), Decimal("0.00"))
        invoice.totaal_btw = sum((s.btw for s in subtotals), Decimal("0.00"))
        invoice.totaal_incl = invoice.totaal_excl + invoice.totaal_btw
        if invoice.totaal_incl <= 0:
            raise ValidationError({"regels": "Het totaal moet groter zijn dan € 0,00."})
        if invoice.corrects_id:
            corrected = Invoice.objects.select_for_update().get(pk=invoice.corrects_id)
            room = selectors.creditable(corrected) + reserved  # this draft already counts
            if invoice.totaal_incl > room:
                raise ValidationError(
                    {"regels": f"De creditnota is groter dan wat op factuur {corrected.nummer} nog te crediteren is."}
                )
        invoice.volgnummer, invoice.nummer = _next_number(datum.year, invoice.soort)
        invoice.jaar = datum.year
        invoice.factuurdatum = datum
        invoice.vervaldatum = datum + timedelta(days=PAYMENT_TERM_DAYS) if not invoice.is_credit_note else None
        invoice.betalingskenmerk = invoice.nummer
        invoice.koper = {**selectors.buyer_snapshot(invoice.member, kenmerk), "kenmerk_jaar": kenmerk_jaar}
        invoice.status = Invoice.Status.VERWERKT if invoice.is_credit_note else Invoice.Status.OPEN
        invoice.definitief_op = timezone.now()
        invoice.definitief_door = by.user
        invoice.save()
        if invoice.corrects_id:
            _update_payment_status(corrected, by=by)
        audit.record(
            "invoice.finalise",
            actor=by,
            obj=invoice,
            data={
                "nummer": invoice.nummer,
                "lid": invoice.member.code,
                "totaal_excl": invoice.totaal_excl,
                "btw": invoice.totaal_btw,
                "totaal_incl": invoice.totaal_incl,
                "corrigeert": invoice.corrects.nummer if invoice.corrects_id else None,
                "posten": [line.charge.bron for line in lines if line.charge_id],
            },
        )
        if queue_documents:
            transaction.on_commit(lambda: _queue_documents(invoice.pk))
    return invoice


def queue_task(task, *args) -> None:
    """Queue a task after commit. The write it follows has committed, so a
    broker outage must not fail the request: the hourly catch-up task
    (tasks.catch_up) finds what was left."""
    try:
        task.delay(*args)
    except Exception:  # also a failure of an eagerly run task (no broker configured)
        logger.exception("Taak %s%s niet uitgevoerd; de inhaaltaak pakt het op", task.name, args)


def _queue_documents(invoice_id: int) -> None:
    from .tasks import render_and_send

    queue_task(render_and_send, invoice_id)


def invoice_delete_draft(invoice: Invoice, *, by: Actor) -> None:
    require(by, MANAGE)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.is_final:
            raise ValidationError({"status": f"{invoice.nummer} is definitief en kan niet worden verwijderd."})
        charge_ids = list(invoice.lines.exclude(charge=None).values_list("charge_id", flat=True))
        audit.record(
            "invoice.draft_delete",
            actor=by,
            obj=invoice,
            data={
                "lid": invoice.member.code,
                "posten": list(Charge.objects.filter(pk__in=charge_ids).values_list("bron", flat=True)),
            },
        )
        invoice.delete()
        # Its charges go too, so billing again starts from the current amount.
        # What a decision stored (a share, a settlement) is billed again by the catch-up.
        Charge.objects.filter(pk__in=charge_ids).delete()


# --- documents -------------------------------------------------------------


def invoice_documents_render(invoice: Invoice) -> Invoice:
    """Render and store the PDF and the UBL (with the PDF inside) and their
    SHA-256, once. Safe to re-run: stored documents are never rewritten."""
    from django.conf import settings

    from .documents import render_invoice_pdf
    from .einvoice import render_ubl

    if not invoice.is_final or (invoice.pdf and invoice.ubl):
        return invoice
    content = selectors.invoice_data(invoice)
    pdf = render_invoice_pdf(content).pdf
    ubl = render_ubl(dataclasses.replace(content, pdf=pdf), profile=settings.EINVOICE_PROFILE)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.pdf and invoice.ubl:
            return invoice
        invoice.pdf.save(f"{invoice.nummer}.pdf", ContentFile(pdf), save=False)
        invoice.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        invoice.ubl.save(f"{invoice.nummer}.xml", ContentFile(ubl), save=False)
        invoice.ubl_sha256 = hashlib.sha256(ubl).hexdigest()
        invoice.save()
        audit.record(
            "invoice.documents",
            actor=Actor.system(),
            obj=invoice,
            data={"nummer": invoice.nummer, "pdf_sha256": invoice.pdf_sha256, "ubl_sha256": invoice.ubl_sha256},
        )
    return invoice


def invoice_send(invoice: Invoice) -> bool:
    """E-mail the invoice with its PDF and UBL to the member, once."""
    invoice = Invoice.objects.get(pk=invoice.pk)
    if invoice.verzonden_op or not (invoice.pdf and invoice.ubl):
        return False
    to = invoice.koper.get("email") or selectors.financial_contact_email(invoice.member)
    if not to:
        logger.warning("Factuur %s: geen e-mailadres voor facturen bij %s", invoice.nummer, invoice.member)
        return False
    soort = invoice.get_soort_display().lower()
    message = EmailMessage(
        subject=f"{invoice.get_soort_display()} {invoice.nummer}: {invoice.omschrijving}",
        body=(
            f"Beste collega,\n\nBijgaand ontvangt u {soort} {invoice.nummer} van "
            f"{selectors.seller().naam} voor {invoice.koper['naam']}: {invoice.omschrijving}.\n"
            f"Totaal: {euro(invoice.totaal_incl)}"
            + (
                f", te betalen vóór {invoice.vervaldatum:%d-%m-%Y} o.v.v. {invoice.betalingskenmerk}."
                if invoice.vervaldatum
                else "."
            )
            + "\n\nDe factuur staat ook in het ledenportaal onder 'Mijn facturen'.\n"
        ),
        to=[to],
    )
    message.attach(f"{invoice.nummer}.pdf", invoice.pdf.read(), "application/pdf")
    message.attach(f"{invoice.nummer}.xml", invoice.ubl.read(), "application/xml")
    message.send()
    with transaction.atomic():
        invoice.verzonden_op = timezone.now()
        invoice.save(update_fields=["verzonden_op"])
        audit.record("invoice.sent", actor=Actor.system(), obj=invoice, data={"nummer": invoice.nummer, "aan": to})
    return True


# --- payments and credit notes ---------------------------------------------


def _update_payment_status(invoice: Invoice, *, by: Actor) -> None:
    status = Invoice.Status.BETAALD if selectors.open_amount(invoice) == 0 else Invoice.Status.OPEN
    if invoice.status != status:
        invoice.status = status
        invoice.save(update_fields=["status"])
        audit.record("invoice.status", actor=by, obj=invoice, data={"nummer": invoice.nummer, "status": status})


def payment_register(invoice: Invoice, *, by: Actor, datum: date, bedrag: Decimal, kenmerk: str = "") -> Payment:
    require(by, MANAGE)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.is_credit_note:
            raise ValidationError({"bedrag": "Op een creditnota wordt niet betaald."})
        if not invoice.is_final:
            raise ValidationError({"bedrag": "Een conceptfactuur kan nog niet worden betaald."})
        if bedrag <= 0:
            raise ValidationError({"bedrag": "Het bedrag moet groter zijn dan € 0,00."})
        remaining = selectors.open_amount(invoice)
        if bedrag > remaining:
            raise ValidationError(
                {"bedrag": f"Het bedrag is hoger dan wat op {invoice.nummer} open staat ({euro(remaining)})."}
            )
        if datum > timezone.localdate():
            raise ValidationError({"datum": "Een betaling kan niet in de toekomst zijn ontvangen."})
        payment = Payment.objects.create(
            invoice=invoice, datum=datum, bedrag=bedrag, kenmerk=kenmerk, geregistreerd_door=by.user
        )
        _update_payment_status(invoice, by=by)
        audit.record(
            "invoice.payment",
            actor=by,
            obj=invoice,
            data={"nummer": invoice.nummer, "datum": datum, "bedrag": bedrag, "kenmerk": kenmerk},
        )
    return payment


@dataclass(frozen=True)
class CreditLine:
    omschrijving: str
    bedrag: Decimal  # excl. btw
    btw_categorie: str
    btw_percentage: Decimal


def credit_note_create(invoice: Invoice, *, by: Actor, reden: str, regels: list[CreditLine]) -> Invoice:
    """A draft credit note against a finalised invoice; it reserves its amount
    so two drafts together cannot exceed the invoice."""
    require(by, MANAGE)
    if not reden.strip():
        raise ValidationError({"reden": "Geef de reden van de creditnota."})
    if not regels or any(r.bedrag <= 0 for r in regels):
        raise ValidationError({"bedrag": "Een creditnota heeft regels met een bedrag groter dan € 0,00."})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.is_credit_note or not invoice.is_final:
            raise ValidationError({"factuur": "Crediteer een definitieve factuur, geen concept of creditnota."})
        _check_vat_mix(r.btw_categorie for r in regels)
        on_invoice = set(invoice.lines.values_list("btw_categorie", "btw_percentage"))
        if any((r.btw_categorie, r.btw_percentage) not in on_invoice for r in regels):
            raise ValidationError({"regels": f"Crediteer met de btw die op {invoice.nummer} staat."})
        subtotals = data.vat_subtotals(
            [data.Line(r.omschrijving, r.bedrag, r.btw_categorie, r.btw_percentage) for r in regels]
        )
        total = sum((s.grondslag + s.btw for s in subtotals), Decimal("0.00"))
        # What the member still owes, less draft credit notes that reserve their amount.
        drafts = Invoice.objects.filter(corrects=invoice, status=Invoice.Status.CONCEPT)
        room = selectors.open_amount(invoice) - sum(drafts.values_list("totaal_incl", flat=True), Decimal("0.00"))
        if total > room:
            raise ValidationError(
                {
                    "bedrag": f"De creditnota ({euro(total)}) is groter dan wat op {invoice.nummer} "
                    f"nog te crediteren is ({euro(room)})."
                }
            )
        note = Invoice.objects.create(
            soort=Invoice.Kind.CREDITNOTA,
            member=invoice.member,
            omschrijving=f"Creditnota bij factuur {invoice.nummer}",
            corrects=invoice,
            reden=reden,
            koper={"kenmerk_jaar": invoice.koper.get("kenmerk_jaar")},
            totaal_incl=total,  # reserves the amount until finalised
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=note,
                omschrijving=r.omschrijving,
                bedrag=r.bedrag,
                btw_categorie=r.btw_categorie,
                btw_percentage=r.btw_percentage,
                volgorde=i,
            )
            for i, r in enumerate(regels)
        )
        audit.record(
            "invoice.credit_note_draft",
            actor=by,
            obj=note,
            data={"factuur": invoice.nummer, "reden": reden, "totaal_incl": total},
        )
    return note


# --- contributie -----------------------------------------------------------


def contribution_rate_set(
    *, by: Actor, jaar: int, bedrag_per_inwoner: Decimal, besluit: str, besluitdatum: date
) -> ContributionRate:
    """Record the ALV's rate for a year. While an invoice at the old rate
    stands, the rate is fixed: a change would silently differ from it. Once
    every such invoice is fully credited the rate may change, and the next
    run invoices again at the new rate."""
    require(by, MANAGE)
    if bedrag_per_inwoner < 0:
        raise ValidationError({"bedrag_per_inwoner": "Het tarief kan niet negatief zijn."})
    with transaction.atomic():
        rate = ContributionRate.objects.select_for_update().filter(jaar=jaar).first()
        standing = Invoice.objects.filter(lines__charge__contribution_rate=rate).distinct() if rate else []
        if not all(selectors.fully_credited(invoice) for invoice in standing):
            raise ValidationError(
                {
                    "bedrag_per_inwoner": f"Over {jaar} is al contributie gefactureerd. Crediteer die facturen "
                    "en factureer opnieuw met een nieuw tarief; het tarief zelf blijft zoals gefactureerd."
                }
            )
        rate, _ = ContributionRate.objects.update_or_create(
            jaar=jaar,
            defaults={"bedrag_per_inwoner": bedrag_per_inwoner, "besluit": besluit, "besluitdatum": besluitdatum},
        )
        audit.record(
            "contributie.tarief",
            actor=by,
            obj=rate,
            data={"jaar": jaar, "bedrag_per_inwoner": bedrag_per_inwoner, "besluit": besluit, "datum": besluitdatum},
        )
    return rate


def members_billable_for(jaar: int):
    """Members with contributie in a year: admitted by the end of it and not
    gone before it started (a leaving member pays its final year in full)."""
    return (
        Member.objects.filter(
            status__in=(admission.ACTIEF, admission.OPGEZEGD, admission.UITGETREDEN),
            ingangsdatum__lte=date(jaar, 12, 31),
        )
        .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=date(jaar, 1, 1)))
        .order_by("naam")
    )


class SkipMember(Exception):
    """This member gets no invoice in this run; the message says why."""


def contribution_invoice(
    member: Member,
    rate: ContributionRate,
    *,
    by: Actor,
    batch: Batch | None = None,
    known: "ContributionFacts | None" = None,
) -> Invoice:
    """Charge, draft and finalise one member's contributie for the rate's
    year, in one transaction. Raises SkipMember with a reason. The charge row
    is locked while its invoice is made, so a re-run or a concurrent run
    finds the first invoice instead of making a second. A run passes the
    facts it read for all members at once (`known`)."""
    jaar = rate.jaar
    months = amounts.billable_months(member.ingangsdatum, jaar)
    jan1 = date(jaar, 1, 1)
    inwoners = known.inwoners.get(member.pk) if known else None
    if not isinstance(inwoners, int):
        represented_on = max(jan1, member.ingangsdatum) if member.ingangsdatum else jan1
        try:
            inwoners = member_inwoners(member, jan1, represented_on=represented_on)
        except InwonersUnknown as error:
            raise SkipMember(f"Inwonertal onbekend: {error}") from error
    kenmerk = known.kenmerken.get(member.pk) if known else selectors.factuurkenmerk(member, jaar)
    if not kenmerk:
        raise SkipMember(f"Geen factuurkenmerk voor {jaar}; vraag het lid om het kenmerk vast te leggen.")
    bedrag = amounts.contribution(rate.bedrag_per_inwoner, inwoners, months)
    if bedrag <= 0:
        raise SkipMember("De contributie is € 0,00.")
    pro_rata = f", {months}/12 deel" if months < 12 else ""
    with transaction.atomic():
        charge, created = charge_get_or_create(
            member=member,
            soort=ChargeKind.CONTRIBUTIE,
            bron=_contribution_source(member, rate),
            bedrag=bedrag,
            omschrijving=(
                f"Contributie {jaar}: {decimal_plain(inwoners, 0)} inwoners × "
                f"€ {decimal_plain(rate.bedrag_per_inwoner, 4)} per inwoner{pro_rata}"
            ),
            periode_van=date(jaar, 13 - months, 1),
            periode_tot=date(jaar, 12, 31),
            # Quantity × price must give the line amount (Peppol R120): per
            # inwoner for a whole year, as one amount for a part of it.
            aantal=Decimal(inwoners) if months == 12 else Decimal(1),
            eenheidsprijs=rate.bedrag_per_inwoner if months == 12 else bedrag,
            inwoners=inwoners,
            contribution_rate=rate,
        )
        if not created:
            Charge.objects.select_for_update().get(pk=charge.pk)
        line = None if created else InvoiceLine.objects.filter(charge=charge).select_related("invoice").first()
        if line is not None and line.invoice.is_final:
            raise SkipMember(f"Al gefactureerd: {line.invoice.nummer}.")
        if line is not None:
            invoice = line.invoice  # a draft an interrupted run left behind
        else:
            invoice = invoice_draft(
                member,
                [charge],
                by=by,
                omschrijving=f"Contributie {jaar}",
                kenmerk_jaar=jaar,
                batch=batch,
                audited=False,
            )
        return invoice_finalise(invoice, by=by, queue_documents=batch is None)


def _contribution_source(member: Member, rate: ContributionRate) -> str:
    """The origin key of a member's contributie for a year. After an invoice
    was fully credited (a corrected rate or inwonertal), a new key lets the
    next run invoice again; otherwise the existing key finds the invoice made."""
    base = f"contributie:{rate.jaar}:{member.code}"
    earlier = list(
        Charge.objects.filter(member=member, contribution_rate=rate)
        .select_related("invoice_line__invoice")
        .order_by("pk")
    )
    if not earlier:
        return base
    latest = earlier[-1]
    line = getattr(latest, "invoice_line", None)
    if line is not None and line.invoice.is_final and selectors.fully_credited(line.invoice):
        return f"{base}:{len(earlier) + 1}"
    return latest.bron


def contribution_batch_start(jaar: int, *, by: Actor) -> Batch:
    """Queue the contributie run for a year. When the broker is down nothing
    stays behind and the directie is told; starting again later completes it."""
    require(by, MANAGE)
    if not ContributionRate.objects.filter(jaar=jaar).exists():
        raise ValidationError({"jaar": f"Er is geen contributietarief voor {jaar}; leg eerst het ALV-besluit vast."})
    batch = Batch.objects.create(
        soort=Batch.Kind.CONTRIBUTIE, jaar=jaar, gestart_door=by.user, totaal=members_billable_for(jaar).count()
    )
    from .tasks import run_contribution_batch

    try:
        run_contribution_batch.delay(batch.pk)
    except Exception as error:
        if not _broker_unreachable(error):
            raise
        batch.delete()
        raise ValidationError(
            {
                "jaar": "De achtergrondverwerking is nu niet bereikbaar. Er is niets aangemaakt; "
                "probeer het later opnieuw."
            }
        ) from error
    audit.record("contributie.run_gestart", actor=by, obj=batch, data={"jaar": jaar, "leden": batch.totaal})
    return batch


def _broker_unreachable(error: Exception) -> bool:
    from kombu.exceptions import OperationalError

    return isinstance(error, (OperationalError, ConnectionError, OSError))


@dataclass(frozen=True)
class ContributionFacts:
    """What a run reads for all members in a few queries instead of per member:
    inwoners on 1 January (an InwonersUnknown is looked up again per member,
    which names the problem) and the factuurkenmerk of the year."""

    inwoners: dict
    kenmerken: dict

    @classmethod
    def read(cls, members: list[Member], jaar: int) -> "ContributionFacts":
        from membership.models import Factuurkenmerk
        from membership.selectors import inwoners_by_member

        jan1 = date(jaar, 1, 1)
        settled = [m.pk for m in members if m.ingangsdatum is None or m.ingangsdatum <= jan1]
        kenmerken = Factuurkenmerk.objects.filter(member__in=members, jaar=jaar).values_list("member_id", "kenmerk")
        return cls(inwoners=inwoners_by_member(settled, jan1), kenmerken=dict(kenmerken))


def contribution_batch_run(batch: Batch) -> Batch:
    """Invoice every billable member once; each member in its own transaction,
    so one member's problem never stops the others. Safe to re-run."""
    batch = Batch.objects.get(pk=batch.pk)
    rate = ContributionRate.objects.get(jaar=batch.jaar)
    by = Actor(user=batch.gestart_door) if batch.gestart_door_id else Actor.system()
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.BEZIG)
    done = set(batch.items.values_list("member_id", flat=True))
    members = list(members_billable_for(batch.jaar).exclude(pk__in=done))
    known = ContributionFacts.read(members, batch.jaar)
    for member in members:
        try:
            with transaction.atomic():  # the invoice and its line in the run commit together
                invoice = contribution_invoice(member, rate, by=by, batch=batch, known=known)
                _record_item(batch, member, BatchItem.Outcome.AANGEMAAKT, invoice=invoice)
        except SkipMember as reason:
            _record_item(batch, member, BatchItem.Outcome.OVERGESLAGEN, reden=str(reason))
        except ValidationError as error:
            _record_item(batch, member, BatchItem.Outcome.OVERGESLAGEN, reden="; ".join(error.messages))
        except Exception as error:  # one member failing must not stop the run
            logger.exception("Contributie %s voor %s mislukt", batch.jaar, member)
            _record_item(batch, member, BatchItem.Outcome.MISLUKT, reden=f"Technische fout: {error}")
        else:
            _render_and_send_quietly(invoice)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.KLAAR, klaar_op=timezone.now())
    return Batch.objects.get(pk=batch.pk)


def _record_item(batch: Batch, member: Member, uitkomst: str, *, reden: str = "", invoice=None) -> None:
    # A second run of the same batch (a redelivered task) keeps the first outcome.
    BatchItem.objects.bulk_create(
        [BatchItem(batch=batch, member=member, uitkomst=uitkomst, reden=reden[:300], invoice=invoice)],
        ignore_conflicts=True,
    )


def _render_and_send_quietly(invoice: Invoice) -> None:
    """The invoice stands once finalised; a rendering or mail failure is
    retried by the hourly catch-up task instead of failing the run."""
    try:
        invoice_send(invoice_documents_render(invoice))
    except Exception:
        logger.exception("Documenten of e-mail voor %s mislukt; de inhaaltaak probeert het opnieuw", invoice)


# --- business cases ---------------------------------------------------------


def _bill(member, charge_specs, *, by, omschrijving, kenmerk_jaar, corrects=None, soort=Invoice.Kind.FACTUUR):
    """Charges → one invoice, finalised when the member has its factuurkenmerk
    (otherwise it waits as a draft for the directie). Nothing for € 0,00;
    charges already on an invoice are left alone (their rows are locked)."""
    specs = [spec for spec in charge_specs if spec["bedrag"]]
    if not specs:
        return None
    with transaction.atomic():
        ids = [charge_get_or_create(member=member, **spec)[0].pk for spec in specs]
        charges = list(
            Charge.objects.select_for_update(of=("self",)).filter(pk__in=ids, invoice_line__isnull=True).order_by("pk")
        )
        if not charges:
            return None
        invoice = invoice_draft(
            member, charges, by=by, omschrijving=omschrijving, kenmerk_jaar=kenmerk_jaar, corrects=corrects, soort=soort
        )
    try:
        return invoice_finalise(invoice, by=by)
    except ValidationError:
        return invoice


def system_drafts_finalise(*, by: Actor) -> list[Invoice]:
    """Finalise the drafts the system made (every line from a charge) that
    waited for a factuurkenmerk or an OIN/KvK; the others keep waiting."""
    done = []
    drafts = Invoice.objects.filter(status=Invoice.Status.CONCEPT).exclude(lines__charge__isnull=True).distinct()
    for draft in drafts.order_by("pk"):
        try:
            done.append(invoice_finalise(draft, by=by))
        except ValidationError:
            continue
    return done


def _original_invoice(business_case: BusinessCase, member: Member) -> Invoice | None:
    """The member's own business-case invoice: its share at go, or its late-join charge."""
    line = (
        InvoiceLine.objects.filter(
            Q(charge__share__business_case=business_case) | Q(charge__settlement__business_case=business_case),
            invoice__member=member,
            invoice__soort=Invoice.Kind.FACTUUR,
        )
        .select_related("invoice")
        .first()
    )
    return line.invoice if line else None


def businesscase_bill(business_case: BusinessCase, *, by: Actor) -> list[Invoice]:
    """Invoice what the business case stored and nobody billed yet: shares at
    go, each late join (joiner invoice, credit notes for earlier participants
    against their own invoice) and each yearly split. Safe to re-run."""
    require(by, MANAGE)
    made = []
    title = f"{business_case.community.naam}: {business_case.titel}"
    decided = business_case.besluitdatum
    for share in Share.objects.filter(business_case=business_case, bron=Share.Source.BESLUIT).select_related("member"):
        made.append(
            _bill(
                share.member,
                [
                    {
                        "soort": ChargeKind.AANDEEL,
                        "bron": f"aandeel:{share.pk}",
                        "bedrag": share.bedrag,
                        "omschrijving": f"Aandeel eenmalige kosten {title} (go-besluit {decided:%d-%m-%Y})",
                        "share": share,
                        "business_case": business_case,
                    }
                ],
                by=by,
                omschrijving=f"Aandeel eenmalige kosten {title}",
                kenmerk_jaar=decided.year,
            )
        )
    settlements = (
        Settlement.objects.filter(business_case=business_case).select_related("member").order_by("datum", "pk")
    )
    for settlement in settlements:
        made.append(
            _bill(
                settlement.member,
                [
                    {
                        "soort": ChargeKind.TOETREDING,
                        "bron": f"toetreding:{settlement.pk}",
                        "bedrag": settlement.bedrag,
                        "omschrijving": f"Toetreding {title} per {settlement.datum:%d-%m-%Y}: aandeel eenmalige kosten",
                        "settlement": settlement,
                        "business_case": business_case,
                    }
                ],
                by=by,
                omschrijving=f"Toetreding {title}",
                kenmerk_jaar=settlement.datum.year,
            )
        )
        for credit in SettlementCredit.objects.filter(settlement=settlement).select_related("member"):
            original = _original_invoice(business_case, credit.member)
            if original is None or not original.is_final or not credit.bedrag:
                continue  # nothing invoiced to credit against yet; a later run picks it up
            made.append(
                _bill(
                    credit.member,
                    [
                        {
                            "soort": ChargeKind.VERREKENING,
                            "bron": f"verrekening:{credit.pk}",
                            "bedrag": credit.bedrag,
                            "omschrijving": f"Verrekening toetreding {settlement.member.naam} tot {title}",
                            "settlement_credit": credit,
                            "business_case": business_case,
                        }
                    ],
                    by=by,
                    omschrijving=f"Verrekening toetreding {settlement.member.naam}",
                    kenmerk_jaar=settlement.datum.year,
                    corrects=original,
                    soort=Invoice.Kind.CREDITNOTA,
                )
            )
    lines = YearlyAllocationLine.objects.filter(yearly_allocation__business_case=business_case).select_related(
        "member", "yearly_allocation"
    )
    for line in lines:
        jaar = line.yearly_allocation.jaar
        made.append(
            _bill(
                line.member,
                [
                    {
                        "soort": ChargeKind.JAARKOSTEN,
                        "bron": f"jaarkosten:{line.pk}",
                        "bedrag": line.bedrag,
                        "omschrijving": f"Jaarlijkse kosten {title} {jaar} ({line.maanden}/12 jaar)",
                        "periode_van": date(jaar, 1, 1),
                        "periode_tot": date(jaar, 12, 31),
                        "yearly_line": line,
                        "business_case": business_case,
                    }
                ],
                by=by,
                omschrijving=f"Jaarlijkse kosten {title} {jaar}",
                kenmerk_jaar=jaar,
            )
        )
    return [invoice for invoice in made if invoice is not None]


# --- reminders --------------------------------------------------------------

REMINDER_INTERVAL_DAYS = 14


def reminders_send(*, today: date | None = None) -> list[Reminder]:
    """Remind the financieel contact of each overdue invoice, at most once per
    fortnight; each reminder is recorded."""
    today = today or timezone.localdate()
    sent = []
    overdue = Invoice.objects.filter(status=Invoice.Status.OPEN, vervaldatum__lt=today).select_related("member")
    for invoice in overdue:
        last = invoice.reminders.order_by("-volgnummer").first()
        if last and (today - last.datum).days < REMINDER_INTERVAL_DAYS:
            continue
        remaining = selectors.open_amount(invoice)
        to = selectors.financial_contact_email(invoice.member)
        if remaining <= 0 or not to:
            continue
        number = (last.volgnummer if last else 0) + 1
        with transaction.atomic():
            reminder = Reminder.objects.create(
                invoice=invoice, volgnummer=number, datum=today, email=to, openstaand=remaining
            )
            audit.record(
                "invoice.reminder",
                actor=Actor.system(),
                obj=invoice,
                data={"nummer": invoice.nummer, "herinnering": number, "aan": to, "openstaand": remaining},
            )
            transaction.on_commit(lambda inv=invoice, n=number, r=remaining, t=to: _mail_reminder(inv, n, r, t))
        sent.append(reminder)
    return sent


def _mail_reminder(invoice: Invoice, number: int, remaining: Decimal, to: str) -> None:
    amount = euro(remaining)
    EmailMessage(
        subject=f"Betalingsherinnering {number}: factuur {invoice.nummer}",
        body=(
            f"Beste collega,\n\nVolgens onze administratie staat van factuur {invoice.nummer} "
            f"({invoice.omschrijving}, vervallen op {invoice.vervaldatum:%d-%m-%Y}) nog {amount} open.\n"
            f"Wilt u dit bedrag overmaken naar {selectors.seller().naam} o.v.v. {invoice.betalingskenmerk}? "
            "Heeft u al betaald, dan kunt u deze herinnering als niet verzonden beschouwen.\n"
        ),
        to=[to],
    ).send()


# --- usage fees -------------------------------------------------------------


class UsageImportError(Exception):
    """The import was refused; `errors` names every bad row."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} fout(en) in het bestand; er is niets ingelezen.")


def _took_part(community, member: Member, jaar: int, kwartaal: int) -> bool:
    """A participant of the community at some time in that quarter."""
    from communities.models import Participation

    start = date(jaar, 3 * kwartaal - 2, 1)
    end = date(jaar + 1, 1, 1) if kwartaal == 4 else date(jaar, 3 * kwartaal + 1, 1)
    return Participation.objects.filter(
        Q(einddatum__isnull=True) | Q(einddatum__gte=start),
        community=community,
        member=member,
        status=Participation.Status.DEELNEMER,
        datum__lt=end,
    ).exists()


def usage_count_set(*, by: Actor, community, member: Member, jaar: int, kwartaal: int, aantal: int) -> UsageCount:
    require(by, MANAGE)
    if aantal < 0:
        raise ValidationError({"aantal": "Een aantal transacties kan niet negatief zijn."})
    if kwartaal not in (1, 2, 3, 4):
        raise ValidationError({"kwartaal": "Kies kwartaal 1, 2, 3 of 4."})
    if not _took_part(community, member, jaar, kwartaal):
        # Only participants pay for the application (DOMAIN.md §3.4), so only their usage is billed.
        raise ValidationError({"lid": f"{member.naam} nam in {jaar}-Q{kwartaal} niet deel aan {community.naam}."})
    with transaction.atomic():
        usage = (
            UsageCount.objects.select_for_update()
            .filter(community=community, member=member, jaar=jaar, kwartaal=kwartaal)
            .first()
        )
        if usage is not None and Charge.objects.filter(usage=usage).exists():
            raise ValidationError(
                {
                    "aantal": f"Het gebruik van {member.naam} in {jaar}-Q{kwartaal} is al gefactureerd; "
                    "een correctie gaat met een creditnota op die factuur."
                }
            )
        usage, _ = UsageCount.objects.update_or_create(
            community=community, member=member, jaar=jaar, kwartaal=kwartaal, defaults={"aantal": aantal}
        )
        audit.record(
            "gebruik.opgave",
            actor=by,
            obj=usage,
            data={"community": community.slug, "lid": member.code, "periode": usage.periode, "aantal": aantal},
        )
    return usage


def usage_import(data: bytes, *, by: Actor) -> int:
    """Import usage counts from CSV: all rows or none."""
    from communities.models import Community
    from membership.inwoner_csv import decode

    from .usage_csv import parse_usage_csv

    require(by, MANAGE)
    try:
        parsed = parse_usage_csv(decode(data))
    except ValueError as error:
        raise UsageImportError([str(error)]) from error
    errors = list(parsed.errors)
    communities = {c.slug: c for c in Community.objects.filter(slug__in={r.community for r in parsed.rows})}
    members = {m.code: m for m in Member.objects.filter(code__in={r.lid for r in parsed.rows})}
    seen: dict[tuple, int] = {}
    for row in parsed.rows:
        key = (row.community, row.lid, row.jaar, row.kwartaal)
        if row.community not in communities:
            errors.append(f"Regel {row.regel}: onbekende community '{row.community}'.")
        if row.lid not in members:
            errors.append(f"Regel {row.regel}: onbekend lid '{row.lid}'.")
        if key in seen:
            errors.append(f"Regel {row.regel}: staat dubbel (ook op regel {seen[key]}).")
        seen.setdefault(key, row.regel)
    if errors:
        raise UsageImportError(errors)
    try:
        with transaction.atomic():
            for row in parsed.rows:
                usage_count_set(
                    by=by,
                    community=communities[row.community],
                    member=members[row.lid],
                    jaar=row.jaar,
                    kwartaal=row.kwartaal,
                    aantal=row.aantal,
                )
    except ValidationError as error:
        raise UsageImportError([f"Regel {row.regel}: {m}" for m in error.messages]) from error
    return len(parsed.rows)


def usage_bill(jaar: int, kwartaal: int, *, by: Actor) -> list[Invoice]:
    """One invoice per member for a quarter's usage: a line per application,
    count × the tariff of the community's decided business case."""
    require(by, MANAGE)
    tariffs = {}
    decided = BusinessCase.objects.filter(
        status=BusinessCase.Status.BESLOTEN, gebruikstarief__gt=0, besluitdatum__lte=_quarter_end(jaar, kwartaal)
    )
    for business_case in decided.order_by("besluitdatum"):
        tariffs[business_case.community_id] = business_case  # the decision in force at the quarter's end
    usages = UsageCount.objects.filter(jaar=jaar, kwartaal=kwartaal, aantal__gt=0).select_related("community", "member")
    by_member: dict[int, list] = {}
    for usage in usages:
        business_case = tariffs.get(usage.community_id)
        if business_case is None:
            continue
        tariff = business_case.gebruikstarief
        by_member.setdefault(usage.member_id, []).append(
            {
                "soort": ChargeKind.GEBRUIK,
                "bron": f"gebruik:{usage.pk}",
                "bedrag": amounts.usage_fee(tariff, usage.aantal),
                "omschrijving": f"Gebruik {usage.community.naam} {usage.periode}: "
                f"{decimal_plain(usage.aantal, 0)} transacties × € {decimal_plain(tariff, 4)}",
                "aantal": Decimal(usage.aantal),
                "eenheidsprijs": tariff,
                "periode_van": date(jaar, 3 * kwartaal - 2, 1),
                "periode_tot": _quarter_end(jaar, kwartaal),
                "usage": usage,
                "business_case": business_case,
            }
        )
    made = []
    for specs in by_member.values():
        member = specs[0]["usage"].member
        made.append(
            _bill(member, specs, by=by, omschrijving=f"Gebruiksvergoeding {jaar}-Q{kwartaal}", kenmerk_jaar=jaar)
        )
    return [invoice for invoice in made if invoice is not None]


def _quarter_end(jaar: int, kwartaal: int) -> date:
    return (
        date(jaar + 1, 1, 1) - timedelta(days=1)
        if kwartaal == 4
        else date(jaar, 3 * kwartaal + 1, 1) - timedelta(days=1)
    )


# --- entreegeld and exit charge ----------------------------------------------


def entry_fee_bill(member: Member, *, by: Actor) -> Invoice | None:
    """Entreegeld at admission, by the ALV's fee in force on the ingangsdatum."""
    from .models import EntryFee

    require(by, MANAGE)
    if member.ingangsdatum is None:
        return None
    fee = EntryFee.objects.filter(geldig_vanaf__lte=member.ingangsdatum).order_by("-geldig_vanaf").first()
    if fee is None:
        return None
    jaar = member.ingangsdatum.year
    inwoners = 0
    if fee.bedrag_per_inwoner:
        jan1 = date(jaar, 1, 1)
        try:
            inwoners = member_inwoners(member, jan1, represented_on=max(jan1, member.ingangsdatum))
        except InwonersUnknown as error:
            raise ValidationError({"bedrag": f"Entreegeld per inwoner, maar inwonertal onbekend: {error}"}) from error
    bedrag = amounts.entry_fee(fee.vast_bedrag, fee.bedrag_per_inwoner, inwoners)
    return _bill(
        member,
        [
            {
                "soort": ChargeKind.ENTREEGELD,
                "bron": f"entreegeld:{member.code}",
                "bedrag": bedrag,
                "omschrijving": f"Entreegeld bij toetreding per {member.ingangsdatum:%d-%m-%Y} ({fee.besluit})",
                "entry_fee": fee,
            }
        ],
        by=by,
        omschrijving="Entreegeld",
        kenmerk_jaar=jaar,
    )


def exit_charge_bill(member: Member, *, by: Actor, bedrag: Decimal, reden: str) -> Invoice:
    """An exit charge, at most one year's contributie of the final year."""
    require(by, MANAGE)
    if member.einddatum is None:
        raise ValidationError({"bedrag": f"{member.naam} heeft geen einddatum; leg eerst de opzegging vast."})
    jaar = member.einddatum.year
    rate = ContributionRate.objects.filter(jaar=jaar).first()
    if rate is None:
        raise ValidationError({"bedrag": f"Er is geen contributietarief voor {jaar} om de grens aan te toetsen."})
    try:
        yearly = amounts.contribution(rate.bedrag_per_inwoner, member_inwoners(member, date(jaar, 1, 1)))
        amounts.check_exit_charge(bedrag, yearly)
    except InwonersUnknown as error:
        raise ValidationError({"bedrag": f"Inwonertal onbekend: {error}"}) from error
    except ValueError as error:
        raise ValidationError({"bedrag": f"Te hoog of ongeldig: {error}."}) from error
    if not reden.strip():
        raise ValidationError({"reden": "Geef de grond van de uittredingsvergoeding."})
    invoice = _bill(
        member,
        [
            {
                "soort": ChargeKind.UITTREDING,
                "bron": f"uittreding:{member.code}:{member.einddatum:%Y%m%d}",
                "bedrag": bedrag,
                "omschrijving": f"Uittredingsvergoeding per {member.einddatum:%d-%m-%Y}: {reden}",
            }
        ],
        by=by,
        omschrijving="Uittredingsvergoeding",
        kenmerk_jaar=jaar,
    )
    if invoice is None:
        raise ValidationError({"bedrag": f"Voor {member.naam} is al een uittredingsvergoeding gefactureerd."})
    return invoice


# --- usage reported through the API ----------------------------------------


@dataclass(frozen=True)
class UsageReport:
    """One usage count as reported through the API."""

    community: Community
    member: Member
    jaar: int
    kwartaal: int
    aantal: int


class UsageReportError(Exception):
    """A report was refused and nothing stored; `errors` maps the position of
    each refused count (from 0) to its refusal, which names the field."""

    def __init__(self, errors: dict[int, ValidationError]):
        self.errors = errors
        super().__init__(f"{len(errors)} opgave(n) geweigerd; er is niets vastgelegd.")


def usage_counts_report(counts: list[UsageReport], *, by: Actor) -> list[UsageCount]:
    """Usage counts reported through the API: all or none, each through
    usage_count_set, so a count stored earlier is replaced unless it is
    invoiced. As in the CSV import, the same community, member and quarter
    twice in one report is refused. A community's application (its key's
    ApplicationActor) reports for its own community only (docs/decisions/0024)."""
    if isinstance(by, ApplicationActor):
        own = by.token.community
        for count in counts:
            if count.community.pk != own.pk:
                raise PermissionDenied(
                    f"Deze applicatiesleutel hoort bij community {own.slug}; "
                    f"gebruik van community {count.community.slug} geeft hij niet door."
                )
        # Scope checked: for its own community the application may do what usage_count_set's MANAGE allows.
        by = dataclasses.replace(by, is_system=True)
    else:
        require(by, MANAGE)
    errors: dict[int, ValidationError] = {}
    seen: dict[tuple, int] = {}
    for index, count in enumerate(counts):
        key = (count.community.pk, count.member.pk, count.jaar, count.kwartaal)
        if key in seen:
            errors[index] = ValidationError(
                {"periode": f"Staat dubbel in deze opgave (ook op positie {seen[key]}): één aantal per kwartaal."}
            )
        seen.setdefault(key, index)
    if errors:
        raise UsageReportError(errors)
    stored = []
    with transaction.atomic():
        for index, count in enumerate(counts):
            try:
                stored.append(
                    usage_count_set(
                        by=by,
                        community=count.community,
                        member=count.member,
                        jaar=count.jaar,
                        kwartaal=count.kwartaal,
                        aantal=count.aantal,
                    )
                )
            except ValidationError as error:
                raise UsageReportError({index: error}) from error
    return stored
