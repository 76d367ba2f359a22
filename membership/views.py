from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.forms import messages_from_invalid_form, messages_from_validation_error
from beware.common.pdf import render_pdf
from beware.common.permissions import can

from . import admission, selectors, services
from .forms import (
    ContactForm,
    FactuurkenmerkForm,
    InviteForm,
    InwonerImportForm,
    MemberApplicationForm,
    MemberEditForm,
    RegisterFilterForm,
    RepresentationEndForm,
    RepresentationForm,
    StepForm,
)
from .models import Contact, Member, MemberRole, Representation


def _visible_member(request, pk: int) -> Member:
    member = get_object_or_404(Member, pk=pk)
    if not selectors.member_visible_to(request.user, member):
        raise PermissionDenied
    return member


@login_required
def member_list(request):
    filters = RegisterFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(selectors.member_register(request.user, **criteria), 50).get_page(request.GET.get("pagina"))
    peildatum = timezone.localdate().replace(month=1, day=1)
    return render(
        request,
        "membership/member_list.html",
        {"filters": filters, "page": page, "rows": selectors.register_rows(page, peildatum), "peildatum": peildatum},
    )


@login_required
def member_detail(request, pk: int):
    member = _visible_member(request, pk)
    history = selectors.inwoner_history(member)
    can_see_private = can(request.user, "membership.view_private_member", member)
    return render(
        request,
        "membership/member_detail.html",
        {
            "member": member,
            "representations": member.representations.select_related("gemeente"),
            "history": history,
            "chart": selectors.inwoner_chart(history),
            # Who took each step, and why, is internal to the member and the staff.
            "status_history": selectors.member_status_history(member)
            if can_see_private or can(request.user, "membership.view_member")
            else [],
            "can_see_private": can_see_private,
            "steps": [s for s in admission.steps_from(member.status) if can(request.user, s.permission, member)],
            "agreement_available": member.status in selectors.AGREEMENT_STATUSES,
            "can_change_representation": can(request.user, "membership.change_representation", member),
            "representation_form": RepresentationForm(),
        },
    )


@login_required
@require_POST
def representation_add(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    form = RepresentationForm(request.POST)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
    else:
        try:
            services.representation_add(member, by=request.actor, **form.cleaned_data)
        except ValidationError as error:
            messages_from_validation_error(request, error)
        else:
            messages.success(
                request,
                _("%(lid)s vertegenwoordigt nu ook %(gemeente)s.")
                % {"lid": member.naam, "gemeente": form.cleaned_data["gemeente"].naam},
            )
    return redirect("membership:detail", pk=member.pk)


@login_required
@require_POST
def representation_end(request, pk: int, representation_pk: int):
    representation = get_object_or_404(Representation, pk=representation_pk, member_id=pk)
    form = RepresentationEndForm(request.POST)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
    else:
        try:
            services.representation_end(representation, by=request.actor, **form.cleaned_data)
        except ValidationError as error:
            messages_from_validation_error(request, error)
        else:
            messages.success(
                request,
                _("De vertegenwoordiging van %(gemeente)s is beëindigd.") % {"gemeente": representation.gemeente.naam},
            )
    return redirect("membership:detail", pk=pk)


@login_required
def member_organisation(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    if not can(request.user, "membership.view_private_member", member):
        raise PermissionDenied
    can_edit = can(request.user, "membership.change_member", member)
    edit_form = MemberEditForm(instance=member)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        edit_form = MemberEditForm(request.POST, instance=Member.objects.get(pk=member.pk))
        if edit_form.is_valid():
            services.member_update(
                member, by=request.actor, **{f: edit_form.cleaned_data[f] for f in edit_form.changed_data}
            )
            messages.success(request, _("De gegevens zijn opgeslagen."))
            return redirect("membership:organisation", pk=member.pk)
    return render(
        request,
        "membership/member_organisation.html",
        {
            "member": member,
            **selectors.member_private_data(member),
            "can_edit": can_edit,
            "can_manage_kenmerk": can(request.user, "membership.manage_factuurkenmerk", member),
            "can_invite": can(request.user, "membership.invite_user", member),
            "edit_form": edit_form,
            "contact_form": ContactForm(),
            "kenmerk_form": FactuurkenmerkForm(),
        },
    )


@login_required
def my_organisation(request):
    if request.acting_member is None:
        return render(request, "membership/no_organisation.html")
    return redirect("membership:organisation", pk=request.acting_member.pk)


@login_required
@require_POST
def contact_add(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        services.contact_add(member, by=request.actor, **form.cleaned_data)
        messages.success(request, _("Contactpersoon %(naam)s is toegevoegd.") % {"naam": form.cleaned_data["naam"]})
    else:
        messages_from_invalid_form(request, form)
    return redirect("membership:organisation", pk=member.pk)


@login_required
@require_POST
def contact_remove(request, pk: int, contact_pk: int):
    contact = get_object_or_404(Contact, pk=contact_pk, member_id=pk)
    services.contact_remove(contact, by=request.actor)
    messages.success(request, _("Contactpersoon %(naam)s is verwijderd.") % {"naam": contact.naam})
    return redirect("membership:organisation", pk=pk)


@login_required
@require_POST
def factuurkenmerk_set(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    form = FactuurkenmerkForm(request.POST)
    if form.is_valid():
        services.factuurkenmerk_set(member, by=request.actor, **form.cleaned_data)
        messages.success(
            request, _("Het factuurkenmerk voor %(jaar)s is opgeslagen.") % {"jaar": form.cleaned_data["jaar"]}
        )
    else:
        messages_from_invalid_form(request, form)
    return redirect("membership:organisation", pk=member.pk)


@login_required
def member_invite(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    if not can(request.user, "membership.invite_user", member):
        raise PermissionDenied
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_invite(member=member, by=request.actor, **form.cleaned_data)
        messages.success(
            request, _("%(email)s is uitgenodigd; de uitnodiging is per e-mail verstuurd.") % {"email": user.email}
        )
        return redirect("membership:organisation", pk=member.pk)
    return render(request, "membership/member_invite.html", {"member": member, "form": form})


@login_required
@require_POST
def member_role_revoke(request, pk: int, role_pk: int):
    member_role = get_object_or_404(MemberRole.objects.select_related("user", "member"), pk=role_pk, member_id=pk)
    services.member_role_revoke(member_role, by=request.actor)
    messages.success(
        request,
        _("De rol %(rol)s van %(gebruiker)s is ingetrokken.")
        % {"rol": member_role.get_role_display(), "gebruiker": member_role.user},
    )
    return redirect("membership:organisation", pk=pk)


@login_required
def agreement_pdf(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    if not can(request.user, "membership.view_private_member", member):
        raise PermissionDenied
    if member.status not in selectors.AGREEMENT_STATUSES:
        messages.error(request, _("De overeenkomst is er pas na het besluit tot toelating."))
        return redirect("membership:detail", pk=member.pk)
    document = render_pdf("membership/agreement.html", selectors.agreement_context(member))
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lidmaatschapsovereenkomst-{member.code}.pdf"'
    return response


@login_required
def admission_queue(request):
    if not selectors.may_use_admission_queue(request.user):
        raise PermissionDenied
    members = selectors.admission_queue()
    # Admission steps are taken by coöperatie roles (global permissions), so
    # no per-member permission lookups: the queue costs the same for any length.
    rows = [
        (member, [s for s in admission.steps_from(member.status) if can(request.user, s.permission)])
        for member in members
    ]
    return render(request, "membership/admission_queue.html", {"rows": rows})


@login_required
def member_new(request):
    if not can(request.user, "membership.add_member"):
        raise PermissionDenied
    form = MemberApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_apply(by=request.actor, **form.cleaned_data)
        except ValidationError as error:
            messages_from_validation_error(request, error)
        else:
            messages.success(
                request,
                _("%(lid)s is geregistreerd (%(status)s).")
                % {"lid": member.naam, "status": member.get_status_display().lower()},
            )
            return redirect("membership:detail", pk=member.pk)
    return render(request, "membership/member_new.html", {"form": form})


@login_required
@require_POST
def member_step(request, pk: int, step: str):
    member = _visible_member(request, pk)  # no hints about hidden applications
    form = StepForm(request.POST)
    form.is_valid()
    try:
        services.member_take_step(member, step, by=request.actor, **form.cleaned_data)
    except admission.StepNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages_from_validation_error(request, error)
    else:
        messages.success(
            request, _("%(stap)s: verwerkt voor %(lid)s.") % {"stap": admission.STEPS[step].label, "lid": member.naam}
        )
    if request.POST.get("terug") == "wachtrij":
        return redirect("membership:queue")
    return redirect("membership:detail", pk=member.pk)


@login_required
def inwoner_import(request):
    if not can(request.user, "membership.import_inwoners"):
        raise PermissionDenied
    form = InwonerImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            report = services.inwonertallen_import(
                form.cleaned_data["bestand"].read(), by=request.actor, bron=form.cleaned_data["bron"]
            )
        except services.InwonerImportError as error:
            errors = error.errors
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Ingelezen: %(nieuw)s nieuwe en %(bijgewerkt)s bijgewerkte inwonertallen.")
                % {"nieuw": report.created, "bijgewerkt": report.updated},
            )
            return redirect("membership:import")
    return render(
        request, "membership/inwoner_import.html", {"form": form, "errors": errors}, status=400 if errors else 200
    )
