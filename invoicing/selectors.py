"""Reads for invoicing: amounts still open, what a user may see, and an
invoice as plain data for its documents."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from beware.common.permissions import can
from membership.models import Contact, Factuurkenmerk, Member

from . import data
from .models import DEFAULT_VAT, STANDARD_RATE, VAT_CATEGORIES, Invoice, Payment, Reminder, VatRule

ZERO = Decimal("0.00")
MANAGE = "invoicing.manage_invoices"
# A member's invoices are its private data: every role within the member sees them.
VIEW_MEMBER = "membership.view_private_member"


def vat_for(soort: str) -> tuple[str, Decimal]:
    rule = VatRule.objects.filter(soort=soort).first()
    if rule is not None:
        return rule.categorie, rule.percentage
    return DEFAULT_VAT.get(soort, STANDARD_RATE)


def _sum(qs, field: str = "totaal_incl") -> Decimal:
    return qs.aggregate(total=Coalesce(Sum(field), Value(ZERO)))["total"]


def credited(invoice: Invoice) -> Decimal:
    """Finalised credit notes against the invoice, incl. btw."""
    return _sum(Invoice.objects.filter(corrects=invoice).exclude(status=Invoice.Status.CONCEPT))


def paid(invoice: Invoice) -> Decimal:
    return _sum(Payment.objects.filter(invoice=invoice), "bedrag")


def open_amount(invoice: Invoice) -> Decimal:
    """What the member still owes: total − payments − credit notes."""
    if not invoice.is_final or invoice.is_credit_note:
        return ZERO
    return max(invoice.totaal_incl - paid(invoice) - credited(invoice), ZERO)


def fully_credited(invoice: Invoice) -> bool:
    """Finalised credit notes cancel the whole invoice."""
    return credited(invoice) >= invoice.totaal_incl


def creditable(invoice: Invoice) -> Decimal:
    """What can still be credited: the total less earlier credit notes, drafts
    included (a draft credit note reserves its amount)."""
    drafts_and_final = _sum(Invoice.objects.filter(corrects=invoice))
    return invoice.totaal_incl - drafts_and_final


def invoices_with_amounts(qs: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate paid and credited amounts: one query for a whole list."""
    payments = (
        Payment.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(s=Sum("bedrag")).values("s")[:1]
    )
    credits = (
        Invoice.objects.filter(corrects=OuterRef("pk"))
        .exclude(status=Invoice.Status.CONCEPT)
        .values("corrects")
        .annotate(s=Sum("totaal_incl"))
        .values("s")[:1]
    )
    return qs.annotate(
        betaald_bedrag=Coalesce(Subquery(payments), Value(ZERO)),
        gecrediteerd_bedrag=Coalesce(Subquery(credits), Value(ZERO)),
        heeft_herinnering=Exists(Reminder.objects.filter(invoice=OuterRef("pk"))),
    )


def display_status(invoice: Invoice, today: date) -> str:
    """open, betaald or vervallen (open past its due date); concept/verwerkt as stored."""
    if invoice.status == Invoice.Status.OPEN and invoice.vervaldatum and invoice.vervaldatum < today:
        return "vervallen"
    return invoice.status


STATUS_LABELS = {**dict(Invoice.Status.choices), "vervallen": "Vervallen"}


def may_manage(user) -> bool:
    return can(user, MANAGE)


def may_view_member_invoices(user, member: Member) -> bool:
    return may_manage(user) or can(user, VIEW_MEMBER, member)


def invoices_for_member(member: Member) -> QuerySet[Invoice]:
    """A member sees its finalised invoices and credit notes, never drafts."""
    return invoices_with_amounts(
        Invoice.objects.filter(member=member).exclude(status=Invoice.Status.CONCEPT).select_related("corrects")
    )


def invoice_list(
    *, jaar: int | None = None, status: str = "", soort: str = "", member_id: int | None = None, zoekterm: str = ""
) -> QuerySet[Invoice]:
    qs = Invoice.objects.select_related("member", "corrects")
    if jaar:
        qs = qs.filter(Q(jaar=jaar) | Q(jaar__isnull=True, aangemaakt_op__year=jaar))
    if soort:
        qs = qs.filter(soort=soort)
    if member_id:
        qs = qs.filter(member_id=member_id)
    if zoekterm:
        qs = qs.filter(Q(nummer__icontains=zoekterm) | Q(omschrijving__icontains=zoekterm))
    if status == "vervallen":
        qs = qs.filter(status=Invoice.Status.OPEN, vervaldatum__lt=timezone.localdate())
    elif status:
        qs = qs.filter(status=status)
    return invoices_with_amounts(qs)


def may_view_invoice(user, invoice: Invoice) -> bool:
    if may_manage(user):
        return True
    return invoice.is_final and can(user, VIEW_MEMBER, invoice.member)


def financial_contact_email(member: Member) -> str:
    """Where invoices and reminders go: the member's invoice address, else its
    financieel contact."""
    if member.factuur_email:
        return member.factuur_email
    contact = Contact.objects.filter(member=member, rol=Contact.Role.FINANCIEEL).order_by("pk").first()
    return contact.email if contact else ""


def factuurkenmerk(member: Member, jaar: int) -> str:
    found = Factuurkenmerk.objects.filter(member=member, jaar=jaar).values_list("kenmerk", flat=True).first()
    return found or ""


def buyer_snapshot(member: Member, kenmerk: str) -> dict:
    """The buyer as it stands at finalising; later changes leave the invoice alone."""
    street = member.adres
    if member.factuuradres.strip():
        street = member.factuuradres.strip().splitlines()[0]
    return {
        "naam": member.naam,
        "adres": street,
        "postcode": member.postcode,
        "plaats": member.plaats,
        "kvk": member.kvk,
        "oin": member.oin,
        "factuurkenmerk": kenmerk,
        "email": financial_contact_email(member),
    }


def seller() -> data.Party:
    coop = settings.COOPERATIE
    return data.Party(
        naam=coop["naam"],
        adres=coop["adres"],
        postcode=coop["postcode"],
        plaats=coop["plaats"],
        kvk=coop["kvk"],
        btw_id=coop["btw_id"],
        email=coop["email"],
    )


def invoice_data(invoice: Invoice, *, pdf: bytes | None = None) -> data.InvoiceData:
    """A finalised invoice as plain data, from its stored rows only."""
    koper = invoice.koper
    regels = tuple(
        data.Line(
            omschrijving=line.omschrijving,
            bedrag=line.bedrag,
            btw_categorie=line.btw_categorie,
            btw_percentage=line.btw_percentage,
            aantal=line.aantal,
            eenheidsprijs=line.eenheidsprijs,
            periode_van=line.periode_van,
            periode_tot=line.periode_tot,
        )
        for line in invoice.lines.all()
    )
    corrects = invoice.corrects
    return data.InvoiceData(
        soort=invoice.soort,
        nummer=invoice.nummer,
        datum=invoice.factuurdatum,
        vervaldatum=invoice.vervaldatum,
        betalingskenmerk=invoice.betalingskenmerk,
        kenmerk_koper=koper.get("factuurkenmerk", ""),
        omschrijving=invoice.omschrijving,
        verkoper=seller(),
        koper=data.Party(
            naam=koper["naam"],
            adres=koper["adres"],
            postcode=koper["postcode"],
            plaats=koper["plaats"],
            kvk=koper.get("kvk", ""),
            oin=koper.get("oin", ""),
            email=koper.get("email", ""),
        ),
        iban=settings.COOPERATIE["iban"],
        regels=regels,
        btw=data.vat_subtotals(regels),
        totaal_excl=invoice.totaal_excl,
        totaal_btw=invoice.totaal_btw,
        totaal_incl=invoice.totaal_incl,
        gecorrigeerd_nummer=corrects.nummer if corrects else "",
        gecorrigeerd_datum=corrects.factuurdatum if corrects else None,
        pdf=pdf,
    )


# --- added for the invoicing pages (invoicing/views.py) ----------------------


def listed_open_amount(invoice: Invoice) -> Decimal:
    """open_amount for a row of invoices_with_amounts, from its annotations (no query)."""
    if not invoice.is_final or invoice.is_credit_note:
        return ZERO
    return max(invoice.totaal_incl - invoice.betaald_bedrag - invoice.gecrediteerd_bedrag, ZERO)


def batch_counts(batch) -> dict[str, int]:
    """How many members of a run were processed, per outcome, and in all."""
    from django.db.models import Count

    from .models import BatchItem

    counts = dict.fromkeys(BatchItem.Outcome.values, 0)
    for row in BatchItem.objects.filter(batch=batch).values("uitkomst").annotate(n=Count("pk")).order_by():
        counts[row["uitkomst"]] = row["n"]
    return {**counts, "verwerkt": sum(counts.values())}


def invoice_page(invoice: Invoice, *, may_manage: bool) -> dict:
    """Everything the invoice page shows, read once."""
    lines = list(invoice.lines.all())
    credit_notes = Invoice.objects.filter(corrects=invoice).order_by("aangemaakt_op")
    if not may_manage:
        credit_notes = credit_notes.exclude(status=Invoice.Status.CONCEPT)
    is_payable_invoice = invoice.is_final and not invoice.is_credit_note
    status = display_status(invoice, timezone.localdate())
    return {
        "invoice": invoice,
        "lines": lines,
        "vat": [{"label": dict(VAT_CATEGORIES)[s.categorie], "subtotal": s} for s in data.vat_subtotals(lines)],
        "payments": list(invoice.payments.all()) if is_payable_invoice else [],
        "credit_notes": list(credit_notes),
        "reminders": list(invoice.reminders.all()) if is_payable_invoice else [],
        "paid": paid(invoice) if is_payable_invoice else None,
        "credited": credited(invoice) if is_payable_invoice else None,
        "open": open_amount(invoice) if is_payable_invoice else None,
        "creditable": creditable(invoice) if is_payable_invoice and may_manage else None,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "may_manage": may_manage,
    }


def usage_for_quarter(jaar: int, kwartaal: int) -> QuerySet:
    """A quarter's usage counts, each with whether it is charged (a Charge with
    `usage=` exists) and the invoice it is on, if any: one query."""
    from .models import Charge, UsageCount

    charges = Charge.objects.filter(usage=OuterRef("pk"))
    return (
        UsageCount.objects.filter(jaar=jaar, kwartaal=kwartaal)
        .select_related("community", "member")
        .annotate(
            gefactureerd=Exists(charges),
            factuur_id=Subquery(charges.values("invoice_line__invoice_id")[:1]),
            factuur_nummer=Subquery(charges.values("invoice_line__invoice__nummer")[:1]),
        )
        .order_by("community__naam", "member__naam")
    )


def usage_latest_quarter() -> tuple[int, int] | None:
    """(jaar, kwartaal) of the latest quarter with usage counts."""
    from .models import UsageCount

    return UsageCount.objects.order_by("-jaar", "-kwartaal").values_list("jaar", "kwartaal").first()


def members_with_visible_invoices(user) -> QuerySet[Member]:
    """The members whose invoices the user may read (may_view_member_invoices),
    as one query: all for the directie and staff holding view_private_member
    globally, otherwise those the user holds a role in."""
    from guardian.shortcuts import get_objects_for_user

    if may_manage(user) or can(user, VIEW_MEMBER):
        return Member.objects.all()
    return get_objects_for_user(user, VIEW_MEMBER, klass=Member, accept_global_perms=False, with_superuser=False)
