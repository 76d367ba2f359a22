"""Pages of the bodies: the organen with their size and warnings, one body
with its current mandates and (for the RvC and its committees) the rooster
van aftreden, appointing and ending a mandate, and the decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.forms import SERVICE_FIELD_LABELS, messages_from_invalid_form
from beware.common.permissions import can

from . import selectors, services
from .forms_bodies import AppointForm, BodyForm, DecisionFilterForm, DecisionForm, MandateEndForm, PersonForm
from .models import Body, Mandate, Person

PAGE_SIZE = 50

# A service field that a page's form calls by another name.
FIELD_ALIASES = {"besluitkenmerk": "kenmerk"}


# --- helpers shared with the registers pages ------------------------------------


def require_view(request) -> None:
    if not can(request.user, selectors.VIEW):
        raise PermissionDenied


def require_perm(request, perm: str) -> None:
    if not can(request.user, perm):
        raise PermissionDenied


def _problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def _form_field(form, field: str) -> str | None:
    """The form's field a service's field is about, if the form has it."""
    for name in (field, FIELD_ALIASES.get(field)):
        if name in form.fields:
            return name
    return None


def _label(field: str, form=None) -> str:
    name = _form_field(form, field) if form is not None else None
    if name is not None:
        return str(form.fields[name].label)
    return str(SERVICE_FIELD_LABELS.get(field, field.replace("_", " ").capitalize()))


def service_errors_into_form(form, error: ValidationError, fields: dict[str, str | None] | None = None) -> None:
    """A service's refusal shown on the form that is rendered again: at the
    field it names (`fields` maps a service field to a form field, or to None
    for the form as a whole), otherwise above the form with the field's name."""
    fields = fields or {}
    for field, problems in _problems(error).items():
        target = fields[field] if field in fields else _form_field(form, field)
        for problem in problems:
            if target is None and field not in ("__all__", "body"):
                problem = f"{_label(field)}: {problem}"
            form.add_error(target, problem)


def run_form_service(request, form, call, success):
    """Run a write from a page that redirects afterwards: a refusal becomes
    error messages naming the field as the form calls it, success a message.
    Returns the result, or None when refused (PermissionDenied passes: 403)."""
    try:
        result = call()
    except ValidationError as error:
        for field, problems in _problems(error).items():
            for problem in problems:
                messages.error(request, problem if field == "__all__" else f"{_label(field, form)}: {problem}")
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def may_manage(user) -> bool:
    return can(user, selectors.MANAGE)


# --- bodies ----------------------------------------------------------------------


@login_required
def body_list(request):
    """The organen; managers add a committee of the RvC or a community board here."""
    require_view(request)
    managing = may_manage(request.user)
    form = None
    if request.method == "POST":
        require_perm(request, selectors.MANAGE)
        form = BodyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            rvc = Body.objects.filter(soort=Body.Kind.RVC).first()
            try:
                body = services.body_create(
                    by=request.actor, parent=rvc if data["soort"] == Body.Kind.COMMISSIE else None, **data
                )
            except ValidationError as error:
                service_errors_into_form(form, error, {"parent": None})
            else:
                messages.success(request, _("%(naam)s is aangemaakt.") % {"naam": body.naam})
                return redirect("governance:body", slug=body.slug)
    elif managing:
        form = BodyForm()
    today = timezone.localdate()
    return render(
        request,
        "governance/bodies/body_list.html",
        {"overviews": selectors.bodies_overview(today), "today": today, "form": form},
    )


@login_required
def body_detail(request, slug: str):
    require_view(request)
    body = get_object_or_404(Body.objects.select_related("parent", "community"), slug=slug)
    today = timezone.localdate()
    overview = selectors.body_overview(body, today)
    managing = may_manage(request.user)
    return render(
        request,
        "governance/bodies/body_detail.html",
        {
            "body": body,
            "overview": overview,
            "today": today,
            "rooster": selectors.rooster_van_aftreden(body, today) if body.has_terms else None,
            "committees": list(body.committees.order_by("naam")) if body.soort == Body.Kind.RVC else [],
            "may_manage": managing,
            "may_appoint": managing and body.soort != Body.Kind.ALV,
            "end_form": MandateEndForm() if managing else None,
        },
    )


@login_required
def appoint(request, slug: str):
    """Appoint someone in one step: a new person and a new decision are only
    kept when the appointment itself is accepted."""
    require_view(request)
    require_perm(request, selectors.MANAGE)
    body = get_object_or_404(Body, slug=slug)
    if body.soort == Body.Kind.ALV:
        messages.info(request, _("De ALV bestaat uit alle actieve leden; daarin wordt niemand benoemd."))
        return redirect("governance:body", slug=slug)
    form = AppointForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        try:
            mandate = _appoint(request, body, form.cleaned_data, form)
        except ValidationError as error:
            new_person = form.cleaned_data["persoon"] is None
            service_errors_into_form(
                form,
                error,
                {
                    "datum": "besluitdatum",
                    "geboortedatum": "geboortedatum" if new_person else None,
                },
            )
        else:
            messages.success(
                request,
                _("%(naam)s is benoemd tot %(functie)s (termijn %(termijn)s).")
                % {
                    "naam": mandate.person.naam,
                    "functie": mandate.get_functie_display().lower(),
                    "termijn": mandate.termijn,
                },
            )
            return redirect("governance:body", slug=slug)
    return render(request, "governance/bodies/appoint.html", {"body": body, "form": form})


def _appoint(request, body: Body, data: dict, form: AppointForm) -> Mandate:
    by = request.actor
    with transaction.atomic():
        person = data["persoon"]
        if person is None:
            person = services.person_create(
                by=by, naam=data["naam"].strip(), geboortedatum=data["geboortedatum"], user=data["account"]
            )
        besluit = data["besluit"]
        if besluit is None:
            besluit = services.decision_record(
                by=by,
                body=body,
                kenmerk=data["kenmerk"],
                datum=data["besluitdatum"],
                onderwerp=data["onderwerp"].strip() or form.default_subject(person.naam),
            )
        return services.mandate_appoint(
            by=by,
            body=body,
            person=person,
            functie=data["functie"],
            ingangsdatum=data["ingangsdatum"],
            einddatum=data.get("einddatum"),
            besluit=besluit,
        )


@login_required
@require_POST
def mandate_end(request, pk: int):
    require_view(request)
    require_perm(request, selectors.MANAGE)
    mandate = get_object_or_404(Mandate.objects.select_related("person", "body"), pk=pk)
    form = MandateEndForm(request.POST)
    if form.is_valid():
        run_form_service(
            request,
            form,
            lambda: services.mandate_end(by=request.actor, mandate=mandate, **form.cleaned_data),
            _("Het mandaat van %(naam)s in %(orgaan)s is beëindigd.")
            % {"naam": mandate.person.naam, "orgaan": mandate.body.naam},
        )
    else:
        messages_from_invalid_form(request, form)
    return redirect("governance:body", slug=mandate.body.slug)


# --- decisions ---------------------------------------------------------------------


@login_required
def person_edit(request, pk: int):
    """Correct a person's name or birth date, or link their portal account."""
    require_perm(request, selectors.MANAGE)
    person = get_object_or_404(Person, pk=pk)
    initial = {"naam": person.naam, "geboortedatum": person.geboortedatum, "user": person.user}
    form = PersonForm(request.POST or None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(by=request.actor, person=person, **form.cleaned_data)
        except ValidationError as error:
            service_errors_into_form(form, error)
        else:
            messages.success(
                request, _("De gegevens van %(naam)s zijn opgeslagen.") % {"naam": form.cleaned_data["naam"]}
            )
            return redirect(
                request.GET.get("terug")
                if url_has_allowed_host_and_scheme(request.GET.get("terug"), None)
                else "governance:bodies"
            )
    return render(
        request,
        "governance/bodies/person_form.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@login_required
def decision_list(request):
    require_view(request)
    managing = may_manage(request.user)
    form = None
    if request.method == "POST":
        require_perm(request, selectors.MANAGE)
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.decision_record(
                    by=request.actor,
                    body=data["orgaan"],
                    kenmerk=data["kenmerk"],
                    datum=data["datum"],
                    onderwerp=data["onderwerp"],
                    toelichting=data["toelichting"],
                )
            except ValidationError as error:
                service_errors_into_form(form, error, {"body": "orgaan"})
            else:
                messages.success(request, _("Besluit %(kenmerk)s is vastgelegd.") % {"kenmerk": decision.kenmerk})
                return redirect("governance:decisions")
    elif managing:
        form = DecisionForm(initial={"datum": timezone.localdate()})
    filters = DecisionFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(
        selectors.decisions(body=criteria.get("orgaan"), zoekterm=criteria.get("zoekterm") or ""), PAGE_SIZE
    ).get_page(request.GET.get("pagina"))
    return render(request, "governance/bodies/decision_list.html", {"page": page, "filters": filters, "form": form})
