from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.forms import SERVICE_FIELD_LABELS, messages_from_invalid_form, run_service
from beware.common.permissions import can
from communities.models import Community
from communities.selectors import may_manage

from . import selectors, services
from .forms import BusinessCaseForm, CostLineForm, DecisionForm, FixedPercentagesForm, YearlyAllocationForm
from .models import BusinessCase, CostLine

COST_LINE_PREFIX = "kosten"
PERCENTAGE_PREFIX = "percentages"
DECISION_PREFIX = "besluit"
YEARLY_PREFIX = "jaarverdeling"


def _service_errors_to_form(form, error: ValidationError) -> None:
    problems_by_field = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for field, problems in problems_by_field.items():
        if field in form.fields:
            form.add_error(field, problems)
        else:
            label = SERVICE_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
            form.add_error(None, [p if field == "__all__" else f"{label}: {p}" for p in problems])


def _business_case(pk: int) -> BusinessCase:
    return get_object_or_404(BusinessCase.objects.select_related("community", "besloten_door"), pk=pk)


def _managed_business_case(request, pk: int) -> BusinessCase:
    business_case = _business_case(pk)
    if not may_manage(request.user, business_case.community):
        raise PermissionDenied
    return business_case


@login_required
def businesscase_detail(request, pk: int):
    business_case = _business_case(pk)
    page = selectors.businesscase_page(business_case, today=timezone.localdate())
    can_manage = may_manage(request.user, business_case.community)
    can_decide = can(request.user, services.DECIDE)
    is_concept = business_case.is_editable
    is_proposed = business_case.status == BusinessCase.Status.TER_BESLUITVORMING
    percentage_form = None
    if can_manage and is_concept and business_case.verdeelsleutel == BusinessCase.Key.VAST:
        percentage_form = FixedPercentagesForm(
            prefix=PERCENTAGE_PREFIX,
            members=page.participants,
            initial={FixedPercentagesForm.field_name(fp.member): fp.percentage for fp in page.fixed_percentages},
        )
    return render(
        request,
        "businesscases/businesscase_detail.html",
        {
            "bc": business_case,
            "page": page,
            "can_manage": can_manage,
            "can_decide": can_decide,
            "is_concept": is_concept,
            "is_proposed": is_proposed,
            "cost_line_form": CostLineForm(prefix=COST_LINE_PREFIX) if can_manage and is_concept else None,
            "percentage_form": percentage_form,
            "decision_form": DecisionForm(prefix=DECISION_PREFIX) if can_decide and is_proposed else None,
            "yearly_form": YearlyAllocationForm(prefix=YEARLY_PREFIX)
            if can_manage and business_case.is_decided
            else None,
        },
    )


@login_required
def businesscase_new(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    if not may_manage(request.user, community):
        raise PermissionDenied
    form = BusinessCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            business_case = services.businesscase_create(community, by=request.actor, **form.cleaned_data)
        except ValidationError as error:
            _service_errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("De businesscase %(titel)s is aangemaakt als concept. Voeg nu de kosten toe.")
                % {"titel": business_case.titel},
            )
            return redirect("businesscases:detail", pk=business_case.pk)
    return render(request, "businesscases/businesscase_form.html", {"form": form, "community": community, "bc": None})


@login_required
def businesscase_edit(request, pk: int):
    business_case = _managed_business_case(request, pk)
    if not business_case.is_editable:
        messages.error(
            request,
            _("Alleen een concept kan worden bewerkt; deze businesscase is %(status)s.")
            % {"status": business_case.get_status_display().lower()},
        )
        return redirect("businesscases:detail", pk=business_case.pk)
    form = BusinessCaseForm(instance=business_case)
    if request.method == "POST":
        # A fresh instance: validating the form writes into it.
        form = BusinessCaseForm(request.POST, instance=BusinessCase.objects.get(pk=business_case.pk))
        if form.is_valid():
            try:
                services.businesscase_update(
                    business_case, by=request.actor, **{f: form.cleaned_data[f] for f in form.changed_data}
                )
            except ValidationError as error:
                _service_errors_to_form(form, error)
            else:
                messages.success(request, _("De businesscase is opgeslagen."))
                return redirect("businesscases:detail", pk=business_case.pk)
    return render(
        request,
        "businesscases/businesscase_form.html",
        {"form": form, "community": business_case.community, "bc": business_case},
    )


@login_required
@require_POST
def cost_line_add(request, pk: int):
    business_case = _managed_business_case(request, pk)
    form = CostLineForm(request.POST, prefix=COST_LINE_PREFIX)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
    else:
        run_service(
            request,
            lambda: services.cost_line_add(business_case, by=request.actor, **form.cleaned_data),
            _("De kostenregel %(omschrijving)s is toegevoegd.") % {"omschrijving": form.cleaned_data["omschrijving"]},
        )
    return redirect("businesscases:detail", pk=business_case.pk)


@login_required
@require_POST
def cost_line_remove(request, pk: int, line_pk: int):
    line = get_object_or_404(
        CostLine.objects.select_related("business_case__community"), pk=line_pk, business_case_id=pk
    )
    if not may_manage(request.user, line.business_case.community):
        raise PermissionDenied
    run_service(
        request,
        lambda: services.cost_line_remove(line, by=request.actor),
        _("De kostenregel %(omschrijving)s is verwijderd.") % {"omschrijving": line.omschrijving},
    )
    return redirect("businesscases:detail", pk=pk)


@login_required
@require_POST
def percentages_set(request, pk: int):
    business_case = _managed_business_case(request, pk)
    if business_case.verdeelsleutel != BusinessCase.Key.VAST:
        messages.error(request, _("Verdeelsleutel: deze businesscase verdeelt niet met vaste percentages."))
        return redirect("businesscases:detail", pk=business_case.pk)
    form = FixedPercentagesForm(
        request.POST, prefix=PERCENTAGE_PREFIX, members=selectors.current_participants(business_case.community)
    )
    if not form.is_valid():
        messages_from_invalid_form(request, form)
    else:
        run_service(
            request,
            lambda: services.fixed_percentages_set(business_case, form.percentages(), by=request.actor),
            _("De vaste percentages zijn opgeslagen."),
        )
    return redirect("businesscases:detail", pk=business_case.pk)


@login_required
@require_POST
def businesscase_submit(request, pk: int):
    business_case = _managed_business_case(request, pk)
    run_service(
        request,
        lambda: services.businesscase_submit(business_case, by=request.actor),
        _("De businesscase ligt nu ter besluitvorming bij de directie."),
    )
    return redirect("businesscases:detail", pk=business_case.pk)


@login_required
@require_POST
def businesscase_reopen(request, pk: int):
    business_case = _managed_business_case(request, pk)
    run_service(
        request,
        lambda: services.businesscase_reopen(business_case, by=request.actor),
        _("De businesscase is terug naar concept en kan weer worden gewijzigd."),
    )
    return redirect("businesscases:detail", pk=business_case.pk)


@login_required
@require_POST
def businesscase_decide(request, pk: int):
    business_case = _business_case(pk)
    if not can(request.user, services.DECIDE):
        raise PermissionDenied
    form = DecisionForm(request.POST, prefix=DECISION_PREFIX)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
    else:
        run_service(
            request,
            lambda: services.businesscase_decide(
                business_case,
                by=request.actor,
                go=form.is_go,
                datum=form.cleaned_data["datum"],
                golive=form.cleaned_data["golive"],
                toelichting=form.cleaned_data["toelichting"],
            ),
            _("Go-besluit vastgelegd; de verdeling over de deelnemers is vastgelegd.")
            if form.is_go
            else _("No-go-besluit vastgelegd; de businesscase is afgewezen."),
        )
    return redirect("businesscases:detail", pk=business_case.pk)


@login_required
@require_POST
def yearly_allocation_store(request, pk: int):
    business_case = _managed_business_case(request, pk)
    form = YearlyAllocationForm(request.POST, prefix=YEARLY_PREFIX)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
    else:
        run_service(
            request,
            lambda: services.yearly_allocation_store(business_case, form.cleaned_data["jaar"], by=request.actor),
            _("De jaarlijkse kosten van %(jaar)s zijn verdeeld en vastgelegd.") % {"jaar": form.cleaned_data["jaar"]},
        )
    return redirect("businesscases:detail", pk=business_case.pk)
