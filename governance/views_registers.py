"""Pages of the registers the RvC supervises with: nevenfuncties (flagged
when reported late), tegenstrijdige belangen, and contracts with the RvC's
prior approval and the directie's signing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.forms import messages_from_invalid_form
from beware.common.permissions import can

from . import selectors, services
from .forms_registers import ConflictForm, ContractApproveForm, ContractForm, ContractSignForm, SideActivityForm
from .models import Contract, Person
from .views_common import may_manage, require_perm, require_view, run_form_service, service_errors_into_form


def _own_person(user) -> Person | None:
    return Person.objects.filter(user=user).first() if user.is_authenticated else None


def _report_form(request, form_class):
    """The report form for this user, with the person it is for when they
    report for themself; (None, None) when they may not report at all."""
    if may_manage(request.user):
        return form_class(request.POST or None, for_anyone=True), None
    own = _own_person(request.user)
    if own is None:
        return None, None
    return form_class(request.POST or None, for_anyone=False), own


def _report(request, form_class, service, success: str, template: str, rows):
    require_view(request)
    form, own = _report_form(request, form_class)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            person = data.pop("persoon", None) or own
            try:
                service(by=request.actor, person=person, **data)
            except ValidationError as error:
                service_errors_into_form(form, error)
            else:
                messages.success(request, success % {"naam": person.naam})
                return redirect(request.path)
    return render(request, template, {"rows": rows, "form": form, "own": own})


@login_required
def side_activity_list(request):
    return _report(
        request,
        SideActivityForm,
        services.side_activity_report,
        _("De nevenfunctie van %(naam)s is vastgelegd."),
        "governance/registers/side_activity_list.html",
        selectors.side_activities(),
    )


@login_required
def conflict_list(request):
    return _report(
        request,
        ConflictForm,
        services.conflict_declare,
        _("Het tegenstrijdig belang van %(naam)s is vastgelegd."),
        "governance/registers/conflict_list.html",
        selectors.conflicts(request.user),
    )


# --- contracts ----------------------------------------------------------------------


@login_required
def contract_list(request):
    require_view(request)
    managing = can(request.user, selectors.MANAGE_CONTRACTS)
    form = None
    if request.method == "POST":
        require_perm(request, selectors.MANAGE_CONTRACTS)
        form = ContractForm(request.POST)
        if form.is_valid():
            try:
                contract = services.contract_create(by=request.actor, **form.cleaned_data)
            except ValidationError as error:
                service_errors_into_form(form, error)
            else:
                messages.success(request, _("Het contract %(naam)s is vastgelegd.") % {"naam": contract.omschrijving})
                return redirect("governance:contract", pk=contract.pk)
    elif managing:
        form = ContractForm()
    return render(request, "governance/registers/contract_list.html", {"rows": selectors.contracts(), "form": form})


@login_required
def contract_detail(request, pk: int):
    require_view(request)
    contract = get_object_or_404(selectors.contracts(), pk=pk)
    may_approve = can(request.user, selectors.APPROVE_CONTRACT) and contract.status == Contract.Status.CONCEPT
    # The service refuses an account without its Person (a conflict of
    # interest could not be checked); say so instead of offering the form.
    unlinked = may_approve and _own_person(request.user) is None
    may_sign = can(request.user, selectors.MANAGE_CONTRACTS) and contract.status != Contract.Status.GETEKEND
    return render(
        request,
        "governance/registers/contract_detail.html",
        {
            "contract": contract,
            "conflicts": list(contract.conflicts.select_related("person")),
            "approve_form": ContractApproveForm() if may_approve and not unlinked else None,
            "unlinked": unlinked,
            "sign_form": ContractSignForm() if may_sign else None,
            "awaiting_approval": contract.needs_approval and contract.rvc_besluit_id is None,
        },
    )


def _contract_action(request, pk: int, perm: str, form_class, service, success: str):
    require_view(request)
    require_perm(request, perm)
    contract = get_object_or_404(Contract, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        run_form_service(
            request,
            form,
            lambda: service(by=request.actor, contract=contract, **form.cleaned_data),
            success % {"naam": contract.omschrijving},
        )
    else:
        messages_from_invalid_form(request, form)
    return redirect("governance:contract", pk=pk)


@login_required
@require_POST
def contract_approve(request, pk: int):
    return _contract_action(
        request,
        pk,
        selectors.APPROVE_CONTRACT,
        ContractApproveForm,
        services.contract_approve,
        _("De RvC heeft het contract %(naam)s goedgekeurd."),
    )


@login_required
@require_POST
def contract_sign(request, pk: int):
    return _contract_action(
        request,
        pk,
        selectors.MANAGE_CONTRACTS,
        ContractSignForm,
        services.contract_sign,
        _("Het contract %(naam)s is als getekend vastgelegd."),
    )
