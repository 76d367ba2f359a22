from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from beware.common.forms import messages_from_invalid_form, run_service
from businesscases import selectors as businesscase_selectors

from . import selectors, services
from .forms import (
    AcceptForm,
    AddParticipantForm,
    ApplicationTokenForm,
    CatalogueFilterForm,
    CommunityForm,
    CoordinatorForm,
    DocumentForm,
    EndForm,
    JoinRequestForm,
    RejectForm,
)
from .models import ApplicationToken, Community, CommunityDocument, Coordinator, Participation


@login_required
def community_list(request):
    filters = CatalogueFilterForm(request.GET or None, trekkers=selectors.trekkers())
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(selectors.catalogue(**criteria), 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "communities/community_list.html",
        {"filters": filters, "page": page, "can_create": request.user.has_perm("communities.add_community")},
    )


@login_required
def community_new(request):
    if not request.user.has_perm("communities.add_community"):
        raise PermissionDenied
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        community = services.community_create(by=request.actor, **form.cleaned_data)
        messages.success(request, _("Community %(naam)s is aangemaakt.") % {"naam": community.naam})
        return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/community_form.html", {"form": form})


@login_required
def community_edit(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    if not selectors.may_manage(request.user, community):
        raise PermissionDenied
    form = CommunityForm(request.POST or None, instance=Community.objects.get(pk=community.pk))
    if request.method == "POST" and form.is_valid():
        services.community_update(
            community, by=request.actor, **{name: form.cleaned_data[name] for name in form.changed_data}
        )
        messages.success(request, _("De gegevens van de community zijn opgeslagen."))
        return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/community_form.html", {"form": form, "community": community})


@login_required
def community_detail(request, slug: str):
    community = get_object_or_404(Community.objects.select_related("trekker"), slug=slug)
    acting = request.acting_member
    may_manage_participation = selectors.may_manage_participation(request.user, community)
    page = selectors.community_page(community)
    may_manage = selectors.may_manage(request.user, community)
    return render(
        request,
        "communities/community_detail.html",
        {
            "page": page,
            "community": community,
            "own_participation": selectors.open_participation(community, acting),
            "may_request_join": selectors.may_request_join(request.user, acting),
            "may_manage": may_manage,
            "may_manage_participation": may_manage_participation,
            # A late joiner's weight under a fixed key is set when accepting it.
            "asks_percentage": selectors.asks_joiner_percentage(page.business_cases),
            "add_form": AddParticipantForm(members=selectors.members_to_add(community))
            if may_manage_participation
            else None,
            "coordinator_form": CoordinatorForm(),
            "document_form": DocumentForm(),
            "application_tokens": selectors.application_tokens(community) if may_manage else [],
            "application_token_form": ApplicationTokenForm(),
        },
    )


@login_required
def join(request, slug: str):
    """The quote first (what the member pays, what earlier participants get
    back), then the request. Only for a member's representative."""
    community = get_object_or_404(Community, slug=slug)
    member = request.acting_member
    if not selectors.may_request_join(request.user, member):
        raise PermissionDenied
    existing = selectors.open_participation(community, member)
    if existing is not None:
        messages.info(request, _("%(lid)s heeft al een aanvraag of deelname bij deze community.") % {"lid": member})
        return redirect("communities:detail", slug=slug)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        requested = run_service(
            request,
            lambda: services.participation_request(community, member, by=request.actor, **form.cleaned_data),
            _("De aanvraag van %(lid)s is verstuurd; een coördinator beoordeelt haar.") % {"lid": member.naam},
        )
        if requested is not None:
            return redirect("communities:detail", slug=slug)
    today = timezone.localdate()
    return render(
        request,
        "communities/join.html",
        {
            "community": community,
            "member": member,
            "form": form,
            "today": today,
            "quotes": businesscase_selectors.join_quote(community, member, today),
        },
    )


def _participation(slug: str, pk: int) -> Participation:
    return get_object_or_404(Participation.objects.select_related("community", "member"), pk=pk, community__slug=slug)


def _answer_participation(request, slug: str, pk: int, form_class, service, success: str, *, managers_only: bool):
    """Accept, reject or end a participation: the form, then one service call."""
    participation = _participation(slug, pk)
    if managers_only and not selectors.may_manage_participation(request.user, participation.community):
        raise PermissionDenied  # ending one's own participation is checked by the service
    form = form_class(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: service(participation, by=request.actor, **form.cleaned_data),
            success % {"lid": participation.member.naam},
        )
    else:
        messages_from_invalid_form(request, form)
    return redirect("communities:detail", slug=slug)


@login_required
@require_POST
def participation_accept(request, slug: str, pk: int):
    return _answer_participation(
        request, slug, pk, AcceptForm, services.participation_accept, _("%(lid)s is nu deelnemer."), managers_only=True
    )


@login_required
@require_POST
def participation_reject(request, slug: str, pk: int):
    return _answer_participation(
        request,
        slug,
        pk,
        RejectForm,
        services.participation_reject,
        _("De aanvraag van %(lid)s is afgewezen."),
        managers_only=True,
    )


@login_required
@require_POST
def participation_end(request, slug: str, pk: int):
    return _answer_participation(
        request,
        slug,
        pk,
        EndForm,
        services.participation_end,
        _("Het vertrek van %(lid)s is vastgelegd."),
        managers_only=False,
    )


@login_required
@require_POST
def participant_add(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    if not selectors.may_manage_participation(request.user, community):
        raise PermissionDenied
    form = AddParticipantForm(request.POST, members=selectors.members_to_add(community))
    if form.is_valid():
        member = form.cleaned_data.pop("lid")
        run_service(
            request,
            lambda: services.participation_add(community, member, by=request.actor, **form.cleaned_data),
            _("%(lid)s is nu deelnemer.") % {"lid": member.naam},
        )
    else:
        messages_from_invalid_form(request, form)
    return redirect("communities:detail", slug=slug)


@login_required
@require_POST
def coordinator_add(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    if not selectors.may_manage(request.user, community):
        raise PermissionDenied
    form = CoordinatorForm(request.POST)
    if form.is_valid():
        services.coordinator_add(community, form.cleaned_data["user"], by=request.actor)
        messages.success(request, _("%(email)s is coördinator.") % {"email": form.cleaned_data["email"]})
    else:
        messages_from_invalid_form(request, form)
    return redirect("communities:detail", slug=slug)


@login_required
@require_POST
def coordinator_remove(request, slug: str, pk: int):
    coordinators = Coordinator.objects.select_related("community", "user")
    coordinator = get_object_or_404(coordinators, pk=pk, community__slug=slug)
    if not selectors.may_manage(request.user, coordinator.community):
        raise PermissionDenied
    services.coordinator_remove(coordinator, by=request.actor)
    messages.success(request, _("%(email)s is geen coördinator meer.") % {"email": coordinator.user.email})
    return redirect("communities:detail", slug=slug)


@login_required
@require_POST
def document_add(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    if not selectors.may_manage(request.user, community):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        services.document_add(community, by=request.actor, **form.cleaned_data)
        messages.success(request, _("Het document is toegevoegd."))
    else:
        messages_from_invalid_form(request, form)
    return redirect("communities:detail", slug=slug)


@login_required
def document_download(request, slug: str, pk: int):
    """Documents are for the coöperatie's own users, never a public media URL."""
    document = get_object_or_404(CommunityDocument, pk=pk, community__slug=slug)
    return FileResponse(document.bestand.open("rb"), as_attachment=True, filename=document.bestand.name.split("/")[-1])


def _tokens_section(slug: str) -> str:
    return f"{reverse('communities:detail', kwargs={'slug': slug})}#applicatiesleutels"


@never_cache  # the page shows the key; no cache may keep it
@login_required
@require_POST
def application_token_create(request, slug: str):
    """Make a key for the community's application and show it this once:
    only its SHA-256 is kept."""
    community = get_object_or_404(Community, slug=slug)
    if not selectors.may_manage(request.user, community):
        raise PermissionDenied
    form = ApplicationTokenForm(request.POST)
    if not form.is_valid():
        messages_from_invalid_form(request, form)
        return redirect(_tokens_section(slug))
    made = run_service(
        request,
        lambda: services.application_token_create(community, by=request.actor, naam=form.cleaned_data["naam"]),
        lambda made: _("De sleutel %(naam)s is gemaakt.") % {"naam": made[0].naam},
    )
    if made is None:
        return redirect(_tokens_section(slug))
    token, sleutel = made
    return render(
        request,
        "communities/application_token_created.html",
        {"community": community, "token": token, "sleutel": sleutel},
    )


@login_required
@require_POST
def application_token_revoke(request, slug: str, pk: int):
    token = get_object_or_404(ApplicationToken.objects.select_related("community"), pk=pk, community__slug=slug)
    if not selectors.may_manage(request.user, token.community):
        raise PermissionDenied
    services.application_token_revoke(token, by=request.actor)
    messages.success(request, _("De sleutel %(naam)s is ingetrokken.") % {"naam": token.naam})
    return redirect(_tokens_section(slug))
