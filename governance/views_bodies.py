"""Pages of the bodies: the organen with their size and warnings, one body
with its current mandates and (for the RvC and its committees) the rooster
van aftreden, appointing and ending a mandate, and the decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.forms import messages_from_invalid_form

from . import selectors, services
from .forms_bodies import (
    NEW_DECISION_LABEL,
    AppointForm,
    BodyForm,
    DecisionFilterForm,
    DecisionForm,
    FunctionChangeForm,
    MandateEndForm,
    PersonForm,
    appointing_body,
)
from .models import Body, Decision, Mandate, Person
from .views_common import may_manage, require_perm, require_view, run_form_service, service_errors_into_form

PAGE_SIZE = 50


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
    return _render_body(request, body)


def _render_body(request, body: Body, *, refused: FunctionChangeForm | None = None):
    """The body page; `refused` is a function change form to show again with
    its errors (then the page answers 400)."""
    today = timezone.localdate()
    overview = selectors.body_overview(body, today)
    managing = may_manage(request.user)
    appointing = appointing_body(body) if body.soort != Body.Kind.ALV else None
    change_forms = {}
    if managing and appointing is not None:
        # One query for the decisions, whatever the number of mandates.
        decisions = [("", NEW_DECISION_LABEL)] + [
            (d.pk, str(d)) for d in Decision.objects.filter(body=appointing).order_by("-datum", "-id")
        ]
        for mandate in overview.mandates:
            if mandate.beeindigd_op is not None:
                continue
            if refused is not None and refused.mandate.pk == mandate.pk:
                change_forms[mandate.pk] = refused
                continue
            form = FunctionChangeForm(
                mandate=mandate, appointing=appointing, prefix=_change_prefix(mandate), initial={"datum": today}
            )
            form.choose_decisions(decisions)
            change_forms[mandate.pk] = form
    rows = [(mandate, change_forms.get(mandate.pk)) for mandate in overview.mandates]
    return render(
        request,
        "governance/bodies/body_detail.html",
        {
            "body": body,
            "overview": overview,
            "rows": rows,
            "today": today,
            "rooster": selectors.rooster_van_aftreden(body, today) if body.has_terms else None,
            "committees": list(body.committees.order_by("naam")) if body.soort == Body.Kind.RVC else [],
            "may_manage": managing,
            "may_appoint": managing and body.soort != Body.Kind.ALV,
            "appointing": appointing,
            "end_form": MandateEndForm() if managing else None,
        },
        status=400 if refused is not None else 200,
    )


def _change_prefix(mandate: Mandate) -> str:
    return f"functie-{mandate.pk}"


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
    return render(
        request, "governance/bodies/appoint.html", {"body": body, "form": form, "appointing": form.appointing}
    )


def _decision(by, form, subject: str) -> Decision:
    """The chosen decision of the appointing body, or the new one recorded
    for it (inside the caller's transaction)."""
    data = form.cleaned_data
    if data["besluit"] is not None:
        return data["besluit"]
    return services.decision_record(
        by=by,
        body=form.appointing,
        kenmerk=data["kenmerk"],
        datum=data["besluitdatum"],
        onderwerp=data["onderwerp"].strip() or subject,
    )


def _appoint(request, body: Body, data: dict, form: AppointForm) -> Mandate:
    by = request.actor
    with transaction.atomic():
        person = data["persoon"]
        if person is None:
            person = services.person_create(
                by=by, naam=data["naam"].strip(), geboortedatum=data["geboortedatum"], user=data["account"]
            )
        extra = {"years": data["jaren"]} if "jaren" in data else {}
        return services.mandate_appoint(
            by=by,
            body=body,
            person=person,
            functie=data["functie"],
            ingangsdatum=data["ingangsdatum"],
            einddatum=data.get("einddatum"),
            besluit=_decision(by, form, form.default_subject(person.naam)),
            **extra,
        )


@login_required
@require_POST
def mandate_change_function(request, pk: int):
    """A sitting member takes another function in the same term, by a
    decision of the appointing body (chosen, or recorded here: the decision
    is kept only when the change is accepted)."""
    require_view(request)
    require_perm(request, selectors.MANAGE)
    mandate = get_object_or_404(Mandate.objects.select_related("person", "body"), pk=pk)
    body = mandate.body
    form = FunctionChangeForm(
        request.POST, mandate=mandate, appointing=appointing_body(body), prefix=_change_prefix(mandate)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                new = services.mandate_change_function(
                    by=request.actor,
                    mandate=mandate,
                    functie=data["functie"],
                    datum=data["datum"],
                    besluit=_decision(request.actor, form, form.default_subject()),
                )
        except ValidationError as error:
            service_errors_into_form(form, error, {"ingangsdatum": "datum"})
        else:
            messages.success(
                request,
                _("%(naam)s is %(functie)s van %(orgaan)s met ingang van %(datum)s (termijn %(termijn)s).")
                % {
                    "naam": new.person.naam,
                    "functie": new.get_functie_display().lower(),
                    "orgaan": body.naam,
                    "datum": new.ingangsdatum.strftime("%d-%m-%Y"),
                    "termijn": new.termijn,
                },
            )
            return redirect("governance:body", slug=body.slug)
    return _render_body(request, Body.objects.select_related("parent", "community").get(pk=body.pk), refused=form)


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
