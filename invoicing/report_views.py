"""Finance reports for the directie: on screen, or as CSV, XLSX or PDF
(`?formaat=csv|xlsx|pdf`) from the same rows. Views validate the filter,
call one selector (or the budget service) and render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from beware.common.forms import run_service

from . import budget, exports, reports, selectors
from .report_forms import BudgetForm, OptionalYearFilterForm, PeildatumFilterForm, YearFilterForm

PAGES = ("index", "contributie", "debiteuren", "communities", "begroting", "begroting_invoeren")


def directie_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.may_manage(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _urls(request) -> dict[str, str]:
    """The report pages, in whatever namespace these URLs are included."""
    namespace = request.resolver_match.namespace
    return {name: reverse(f"{namespace}:{name}" if namespace else name) for name in PAGES}


def _downloads(request) -> list[dict[str, str]]:
    links = []
    for formaat, label in (
        ("csv", _("CSV (puntkomma, voor Excel)")),
        ("xlsx", _("Excel (XLSX)")),
        ("pdf", _("PDF")),
    ):
        query = request.GET.copy()
        query["formaat"] = formaat
        links.append({"formaat": formaat, "label": label, "href": f"?{query.urlencode()}"})
    return links


def _respond(request, template: str, *, form, table, title: str, context: dict | None = None, pdf_extra=None):
    formaat = request.GET.get("formaat", "")
    if formaat and formaat not in exports.FORMATS:
        raise Http404
    if formaat and table is not None:
        return exports.download(table, formaat, pdf_extra=pdf_extra)
    return render(
        request,
        template,
        {
            "page_title": title,
            "form": form,
            "table": table,
            "urls": _urls(request),
            "downloads": _downloads(request),
            **(context or {}),
        },
        status=400 if formaat else 200,
    )


@directie_only
def index(request):
    return render(request, "invoicing/reports/index.html", {"urls": _urls(request)})


@directie_only
def contribution(request):
    form = YearFilterForm(request.GET)
    report = table = None
    if form.is_valid():
        report = reports.contribution_report(form.cleaned_data["jaar"])
        table = exports.contribution_table(report)
    return _respond(
        request,
        "invoicing/reports/contributie.html",
        form=form,
        table=table,
        title=_("Contributie per jaar per lid"),
        context={"report": report, "empty_text": _("Voor dit jaar is nog geen contributie gefactureerd.")},
    )


@directie_only
def debtors(request):
    form = PeildatumFilterForm(request.GET)
    report = table = None
    if form.is_valid():
        report = reports.debtors_report(form.cleaned_data["peildatum"])
        table = exports.debtors_table(report)
    return _respond(
        request,
        "invoicing/reports/debiteuren.html",
        form=form,
        table=table,
        title=_("Debiteuren"),
        context={"report": report, "empty_text": _("Op deze peildatum stond niets open.")},
    )


@directie_only
def communities(request):
    form = OptionalYearFilterForm(request.GET)
    report = table = None
    if form.is_valid():
        report = reports.community_report(form.cleaned_data["jaar"])
        table = exports.community_table(report)
    return _respond(
        request,
        "invoicing/reports/communities.html",
        form=form,
        table=table,
        title=_("Kosten en opbrengsten per community"),
        context={"report": report, "empty_text": _("Geen toerekeningen of facturen van communities.")},
    )


@directie_only
def budget_report(request):
    form = YearFilterForm(request.GET)
    report = table = quarters = None
    if form.is_valid():
        report = reports.budget_report(form.cleaned_data["jaar"])
        table = exports.budget_table(report)
        quarters = exports.quarter_table(report)
    return _respond(
        request,
        "invoicing/reports/begroting.html",
        form=form,
        table=table,
        title=_("Begroting en realisatie"),
        context={"report": report, "quarters": quarters},
        pdf_extra={"report": report, "quarters": quarters},
    )


@directie_only
def budget_edit(request):
    """The begroting of one year: an amount per category."""
    # Its own ids: the begroting form below has a (hidden) jaar field too.
    chooser = YearFilterForm(request.POST if request.method == "POST" else request.GET, auto_id="kies_%s")
    if not chooser.is_valid():
        return render(
            request,
            "invoicing/reports/begroting_invoeren.html",
            {"chooser": chooser, "form": None, "urls": _urls(request)},
            status=400,
        )
    jaar = chooser.cleaned_data["jaar"]
    form = BudgetForm(request.POST or None, amounts=reports.budget_amounts(jaar), initial={"jaar": jaar})
    if request.method == "POST" and form.is_valid():
        changed = form.amounts()
        if not changed:
            messages.info(request, _("Er is niets gewijzigd."))
            return redirect(f"{_urls(request)['begroting_invoeren']}?jaar={jaar}")
        saved = run_service(
            request,
            lambda: budget.budget_set(by=request.actor, jaar=jaar, bedragen=changed),
            _("De begroting %(jaar)s is opgeslagen.") % {"jaar": jaar},
        )
        if saved is not None:
            return redirect(f"{_urls(request)['begroting']}?jaar={jaar}")
    return render(
        request,
        "invoicing/reports/begroting_invoeren.html",
        {"chooser": chooser, "form": form, "jaar": jaar, "urls": _urls(request)},
    )
