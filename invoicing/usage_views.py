"""The directie's usage fee page (counts per quarter, the CSV import, billing a
quarter) and the exit charge page. Thin: the services decide and refuse."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from beware.common.forms import SERVICE_FIELD_LABELS, messages_from_invalid_form, run_service

from . import selectors, services
from .models import Invoice
from .usage_csv import HEADERS
from .usage_forms import ExitChargeForm, QuarterForm, UsageCountForm, UsageImportForm

COUNT_PREFIX = "opgave"
IMPORT_PREFIX = "import"


def _require_manage(request) -> None:
    if not selectors.may_manage(request.user):
        raise PermissionDenied


def _refusal_to_form(form, error: ValidationError) -> None:
    """A service's refusal on the form: on the field it names, else on top with the field's name."""
    problems_by_field = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for field, problems in problems_by_field.items():
        if field in form.fields:
            form.add_error(field, problems)
        else:
            label = SERVICE_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
            form.add_error(None, [p if field == "__all__" else f"{label}: {p}" for p in problems])


def _call(form, call):
    """The service's result, or None with its refusal added to the form."""
    try:
        return call()
    except ValidationError as error:
        _refusal_to_form(form, error)
        return None


def _usage_url(jaar: int, kwartaal: int) -> str:
    return f"{reverse('invoicing:usage')}?{urlencode({'jaar': jaar, 'kwartaal': kwartaal})}"


def _default_quarter() -> tuple[int, int]:
    latest = selectors.usage_latest_quarter()
    if latest is not None:
        return latest
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def _quarter_of(form) -> tuple[int, int]:
    """The quarter a (posted) form is about when it says so, else the default."""
    if form.is_bound:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        if data.get("jaar") and data.get("kwartaal"):
            return data["jaar"], data["kwartaal"]
    return _default_quarter()


def _page(
    request, jaar, kwartaal, *, quarter_form=None, count_form=None, import_form=None, import_errors=(), status=200
):
    rows = list(selectors.usage_for_quarter(jaar, kwartaal))
    return render(
        request,
        "invoicing/usage.html",
        {
            "jaar": jaar,
            "kwartaal": kwartaal,
            "periode": f"{jaar}-Q{kwartaal}",
            "quarter_form": quarter_form or QuarterForm(initial={"jaar": jaar, "kwartaal": kwartaal}),
            "count_form": count_form
            or UsageCountForm(prefix=COUNT_PREFIX, initial={"jaar": jaar, "kwartaal": kwartaal}),
            "import_form": import_form or UsageImportForm(prefix=IMPORT_PREFIX),
            "import_errors": list(import_errors),
            "rows": rows,
            "open_count": sum(1 for row in rows if not row.gefactureerd and row.aantal > 0),
            "headers": ";".join(HEADERS),
            "example": [f"signalen;eindhoven;{jaar};{kwartaal};12500", f"signalen;woerden;{jaar};{kwartaal};3.400"],
        },
        status=status,
    )


@login_required
def usage(request):
    _require_manage(request)
    quarter_form = QuarterForm(request.GET) if request.GET else None
    if quarter_form is not None and quarter_form.is_valid():
        jaar, kwartaal = quarter_form.cleaned_data["jaar"], quarter_form.cleaned_data["kwartaal"]
    else:
        jaar, kwartaal = _default_quarter()
    return _page(request, jaar, kwartaal, quarter_form=quarter_form)


@login_required
@require_POST
def usage_count(request):
    _require_manage(request)
    form = UsageCountForm(request.POST, prefix=COUNT_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        usage = _call(
            form,
            lambda: services.usage_count_set(
                by=request.actor,
                community=data["community"],
                member=data["lid"],
                jaar=data["jaar"],
                kwartaal=data["kwartaal"],
                aantal=data["aantal"],
            ),
        )
        if usage is not None:
            messages.success(
                request,
                _("Vastgelegd: %(lid)s, %(community)s, %(periode)s: %(aantal)s transacties.")
                % {
                    "lid": usage.member.naam,
                    "community": usage.community.naam,
                    "periode": usage.periode,
                    "aantal": number_format(usage.aantal, force_grouping=True),
                },
            )
            return redirect(_usage_url(usage.jaar, usage.kwartaal))
    jaar, kwartaal = _quarter_of(form)
    return _page(request, jaar, kwartaal, count_form=form, status=400)


@login_required
@require_POST
def usage_import(request):
    _require_manage(request)
    form = UsageImportForm(request.POST, request.FILES, prefix=IMPORT_PREFIX)
    errors = []
    if form.is_valid():
        try:
            count = services.usage_import(form.cleaned_data["bestand"].read(), by=request.actor)
        except services.UsageImportError as error:
            errors = error.errors
        else:
            messages.success(
                request, ngettext("%(n)s regel ingelezen.", "%(n)s regels ingelezen.", count) % {"n": count}
            )
            return redirect("invoicing:usage")
    jaar, kwartaal = _default_quarter()
    return _page(request, jaar, kwartaal, import_form=form, import_errors=errors, status=400)


@login_required
@require_POST
def usage_bill(request):
    _require_manage(request)
    form = QuarterForm(request.POST)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
        return redirect("invoicing:usage")
    jaar, kwartaal = form.cleaned_data["jaar"], form.cleaned_data["kwartaal"]
    invoices = run_service(
        request,
        lambda: services.usage_bill(jaar, kwartaal, by=request.actor),
        lambda made: _billed(made, jaar, kwartaal),
    )
    if not invoices:
        return redirect(_usage_url(jaar, kwartaal))
    # The list, filtered on the invoices just made (their omschrijving names the quarter).
    zoekterm = f"Gebruiksvergoeding {jaar}-Q{kwartaal}"
    return redirect(f"{reverse('invoicing:list')}?{urlencode({'zoekterm': zoekterm})}")


def _billed(invoices: list[Invoice], jaar: int, kwartaal: int) -> str:
    periode = f"{jaar}-Q{kwartaal}"
    if not invoices:
        return _(
            "Er zijn geen facturen gemaakt voor %(periode)s: alles is al gefactureerd, er zijn geen aantallen, "
            "of de community heeft geen besloten business case met een gebruikstarief."
        ) % {"periode": periode}
    text = ngettext(
        "%(n)s factuur gemaakt voor de gebruiksvergoeding %(periode)s.",
        "%(n)s facturen gemaakt voor de gebruiksvergoeding %(periode)s.",
        len(invoices),
    ) % {"n": len(invoices), "periode": periode}
    drafts = sum(1 for invoice in invoices if invoice.status == Invoice.Status.CONCEPT)
    if drafts:
        text += " " + ngettext(
            "%(n)s staat als concept klaar omdat het factuurkenmerk ontbreekt.",
            "%(n)s staan als concept klaar omdat het factuurkenmerk ontbreekt.",
            drafts,
        ) % {"n": drafts}
    return text


# --- exit charge --------------------------------------------------------------------


@login_required
def exit_charge(request):
    _require_manage(request)
    form = ExitChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invoice = _call(
            form,
            lambda: services.exit_charge_bill(
                data["lid"], by=request.actor, bedrag=data["bedrag"], reden=data["reden"]
            ),
        )
        if invoice is not None:
            if invoice.nummer:
                text = _("De uittredingsvergoeding voor %(lid)s is gefactureerd: %(nummer)s.")
            else:
                text = _("De uittredingsvergoeding voor %(lid)s staat als concept klaar; het factuurkenmerk ontbreekt.")
            messages.success(request, text % {"lid": data["lid"].naam, "nummer": invoice.nummer})
            return redirect("invoicing:detail", pk=invoice.pk)
    return render(
        request,
        "invoicing/exit_charge.html",
        {"form": form, "has_members": form.fields["lid"].queryset.exists()},
        status=400 if form.is_bound and form.errors else 200,
    )
