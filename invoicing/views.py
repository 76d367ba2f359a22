"""Invoicing pages: a member's own invoices, an invoice with its payments and
credit notes, the directie's list, the contributie rates and runs."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.forms import messages_from_invalid_form, run_service

from . import selectors, services
from .forms import BatchStartForm, ContributionRateForm, CreditNoteForm, InvoiceFilterForm, PaymentForm
from .models import Batch, ContributionRate, Invoice

PAGE_SIZE = 50
PAYMENT_PREFIX = "betaling"
CREDIT_PREFIX = "credit"
RUN_PREFIX = "run"


def _require_manage(request) -> None:
    if not selectors.may_manage(request.user):
        raise PermissionDenied


def _visible_invoice(request, pk: int) -> Invoice:
    """The invoice when the user may see it; otherwise a 404, so nobody learns
    that another member's invoice (or a draft) exists."""
    invoice = get_object_or_404(Invoice.objects.select_related("member", "corrects"), pk=pk)
    if not selectors.may_view_invoice(request.user, invoice):
        raise Http404
    return invoice


def _managed_invoice(request, pk: int) -> Invoice:
    _require_manage(request)
    return get_object_or_404(Invoice.objects.select_related("member"), pk=pk)


def _rows(invoices) -> list[Invoice]:
    """A page of invoices_with_amounts rows with what the tables show: the
    amount still open and the status as users read it (no extra queries)."""
    today = timezone.localdate()
    rows = list(invoices)
    for invoice in rows:
        invoice.openstaand = selectors.listed_open_amount(invoice)
        invoice.weergavestatus = selectors.display_status(invoice, today)
        invoice.statuslabel = selectors.STATUS_LABELS[invoice.weergavestatus]
    return rows


# --- a member's invoices ------------------------------------------------------


@login_required
def my_invoices(request):
    member = request.acting_member
    if member is None:
        return render(request, "invoicing/no_member.html")
    if not selectors.may_view_member_invoices(request.user, member):
        raise PermissionDenied
    page = Paginator(selectors.invoices_for_member(member), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "invoicing/my_invoices.html", {"member": member, "page": page, "rows": _rows(page)})


# --- one invoice --------------------------------------------------------------


@login_required
def invoice_detail(request, pk: int):
    invoice = _visible_invoice(request, pk)
    context = selectors.invoice_page(invoice, may_manage=selectors.may_manage(request.user))
    if context["may_manage"] and invoice.is_final and not invoice.is_credit_note:
        if invoice.status == Invoice.Status.OPEN:
            context["payment_form"] = PaymentForm(prefix=PAYMENT_PREFIX)
        if context["creditable"] > 0 and context["lines"]:
            context["credit_form"] = CreditNoteForm(prefix=CREDIT_PREFIX)
    return render(request, "invoicing/invoice_detail.html", context)


def _document(request, pk: int, field: str, extension: str, content_type: str):
    invoice = _visible_invoice(request, pk)
    document = getattr(invoice, field)
    if not document:
        raise Http404  # not rendered yet
    return FileResponse(
        document.open("rb"), as_attachment=True, filename=f"{invoice.nummer}.{extension}", content_type=content_type
    )


@login_required
def invoice_pdf(request, pk: int):
    return _document(request, pk, "pdf", "pdf", "application/pdf")


@login_required
def invoice_ubl(request, pk: int):
    return _document(request, pk, "ubl", "xml", "application/xml")


# --- the directie's actions on an invoice --------------------------------------


@login_required
@require_POST
def invoice_finalise(request, pk: int):
    invoice = _managed_invoice(request, pk)
    run_service(
        request,
        lambda: services.invoice_finalise(invoice, by=request.actor),
        lambda final: (
            _("%(soort)s %(nummer)s is definitief; de PDF en de e-factuur worden aangemaakt en verzonden.")
            % {"soort": final.get_soort_display(), "nummer": final.nummer}
        ),
    )
    return redirect("invoicing:detail", pk=invoice.pk)


@login_required
@require_POST
def invoice_delete(request, pk: int):
    invoice = _managed_invoice(request, pk)
    deleted = run_service(
        request,
        lambda: services.invoice_delete_draft(invoice, by=request.actor) or True,
        _("Het concept is verwijderd."),
    )
    if deleted is None:
        return redirect("invoicing:detail", pk=invoice.pk)
    if invoice.corrects_id:
        return redirect("invoicing:detail", pk=invoice.corrects_id)
    return redirect("invoicing:list")


@login_required
@require_POST
def payment_register(request, pk: int):
    invoice = _managed_invoice(request, pk)
    form = PaymentForm(request.POST, prefix=PAYMENT_PREFIX)
    if form.is_valid():
        run_service(
            request,
            lambda: services.payment_register(invoice, by=request.actor, **form.cleaned_data),
            _("De betaling op %(nummer)s is geregistreerd.") % {"nummer": invoice.nummer},
        )
    else:
        messages_from_invalid_form(request, form)
    return redirect("invoicing:detail", pk=invoice.pk)


@login_required
@require_POST
def credit_note_create(request, pk: int):
    invoice = _managed_invoice(request, pk)
    form = CreditNoteForm(request.POST, prefix=CREDIT_PREFIX)
    first_line = invoice.lines.first()
    if first_line is None:
        raise Http404
    if not form.is_valid():
        messages_from_invalid_form(request, form)
        return redirect("invoicing:detail", pk=invoice.pk)
    note = run_service(
        request,
        lambda: services.credit_note_create(
            invoice, by=request.actor, reden=form.cleaned_data["reden"], regels=form.credit_lines(first_line)
        ),
        _("De creditnota staat klaar als concept; controleer haar en maak haar definitief."),
    )
    return redirect("invoicing:detail", pk=note.pk if note is not None else invoice.pk)


# --- the directie's list ---------------------------------------------------------


@login_required
def invoice_list(request):
    _require_manage(request)
    filters = InvoiceFilterForm(request.GET or None)
    page = Paginator(selectors.invoice_list(**filters.criteria()), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "invoicing/invoice_list.html", {"filters": filters, "page": page, "rows": _rows(page)})


# --- contributie ---------------------------------------------------------------------


@login_required
def contribution(request):
    _require_manage(request)
    form = ContributionRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rate = run_service(
            request,
            lambda: services.contribution_rate_set(by=request.actor, **form.cleaned_data),
            lambda rate: _("Het contributietarief voor %(jaar)s is vastgelegd.") % {"jaar": rate.jaar},
        )
        if rate is not None:
            return redirect("invoicing:contribution")
    rates = list(ContributionRate.objects.all())
    return render(
        request,
        "invoicing/contribution.html",
        {
            "form": form,
            "batch_form": BatchStartForm(prefix=RUN_PREFIX, initial={"jaar": rates[0].jaar if rates else None}),
            "rates": rates,
            "batches": Batch.objects.select_related("gestart_door")[:25],
        },
    )


@login_required
@require_POST
def batch_start(request):
    _require_manage(request)
    form = BatchStartForm(request.POST, prefix=RUN_PREFIX)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
        return redirect("invoicing:contribution")
    jaar = form.cleaned_data["jaar"]
    batch = run_service(
        request,
        lambda: services.contribution_batch_start(jaar, by=request.actor),
        _("De contributierun voor %(jaar)s is gestart.") % {"jaar": jaar},
    )
    if batch is None:
        return redirect("invoicing:contribution")
    return redirect("invoicing:batch", pk=batch.pk)


def _batch(request, pk: int) -> dict:
    _require_manage(request)
    batch = get_object_or_404(Batch.objects.select_related("gestart_door"), pk=pk)
    return {"batch": batch, "counts": selectors.batch_counts(batch), "done": batch.status == Batch.Status.KLAAR}


@login_required
def batch_detail(request, pk: int):
    context = _batch(request, pk)
    if context["done"]:
        context["items"] = context["batch"].items.select_related("member", "invoice")
    return render(request, "invoicing/batch_detail.html", context)


@login_required
def batch_progress(request, pk: int):
    """The progress region alone, polled by htmx while the run is busy."""
    return render(request, "invoicing/_batch_progress.html", {**_batch(request, pk), "polled": True})
