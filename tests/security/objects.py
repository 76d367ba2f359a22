"""For every URL pattern that takes an object's id or slug: which object of
*another* member (or of nobody the member user may manage) to ask for, or why
the pattern is left out. tests/security/test_object_access.py walks the URL
resolver and fails on a pattern with arguments that is in neither table, so a
new object view cannot slip past unnoticed.

Member A is Woerden (tests/security/demo.py), its user holds every member
role and nothing else. B is MijnGemeenteDichtbij.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from beware.common.audit import Actor


@dataclass(frozen=True)
class Probe:
    """One request: `method` to the route filled with `kwargs`, with POST `data`
    or GET `query`."""

    kwargs: dict
    method: str = "get"
    data: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)


# --- the objects ----------------------------------------------------------------------


def _staff(name: str) -> Actor:
    from beware.accounts.models import User

    return Actor(user=User.objects.get(email=f"{name}@beware.demo"))


def _invoice(member):
    from invoicing.models import Invoice

    return Invoice.objects.filter(member=member).exclude(status=Invoice.Status.CONCEPT).exclude(pdf="").first()


def _contact(member):
    from membership.models import Contact

    return Contact.objects.filter(member=member).first() or Contact.objects.create(
        member=member, naam="Contact van B", email="contact@b.test"
    )


def _contact_role():
    from membership.models import Contact

    return Contact.Role.values[0]


def _free_gemeente():
    from tests.factories import GemeenteFactory

    return GemeenteFactory(code="GM8888", naam="Nergenshuizen")


def _role(member):
    from membership.models import MemberRole

    return MemberRole.objects.filter(member=member).first()


def _representation(member):
    return member.representations.first()


def _participation(member, **filters):
    from communities.models import Participation

    return Participation.objects.filter(member=member, **filters).select_related("community").first()


def _pending_request(demo):
    """B's open request to join a community (made here through the service)."""
    from communities import services
    from communities.models import Community, Participation

    existing = _participation(demo.b, status=Participation.Status.AANGEVRAAGD)
    if existing:
        return existing
    community = Community.objects.exclude(participations__member=demo.b).exclude(participations__member=demo.a).first()
    return services.participation_request(community, demo.b, by=Actor(user=demo.b_user, member=demo.b))


def _community_not_coordinated(demo):
    """A community the A user does not coordinate (it coordinates none)."""
    from communities.models import Community

    return Community.objects.get(slug="corv")


def _coordinator():
    from communities.models import Coordinator

    return Coordinator.objects.select_related("community").first()


def _app_token():
    from communities.models import ApplicationToken, Community
    from communities.services import application_token_create

    token = ApplicationToken.objects.select_related("community").first()
    if token is None:
        token = application_token_create(Community.objects.get(slug="corv"), by=_staff("directeur"), naam="Koppeling")[
            0
        ]
    return token


def _api_token(demo):
    from beware.accounts.models import ApiToken
    from tests.factories import api_key

    api_key(demo.b_user, "Sleutel van B")
    return ApiToken.objects.filter(user=demo.b_user).first()


def _business_case(status=None):
    from businesscases.models import BusinessCase

    cases = BusinessCase.objects.select_related("community")
    return (cases.filter(status=status) if status else cases).first()


def _cost_line():
    from businesscases.models import CostLine

    return CostLine.objects.first()


def _batch():
    from invoicing.models import Batch

    return Batch.objects.first()


def _confidential_document():
    """The Evaluatie directie: for the RvC only (README, step 8)."""
    from governance.models import Document

    return Document.objects.get(doelgroep=Document.Audience.RVC_BESLOTEN)


def _rvc_meeting():
    from governance.models import Body, Meeting

    return Meeting.objects.filter(body__soort=Body.Kind.RVC).first()


def _rvc_agenda_item():
    from governance.models import AgendaItem, Body

    item = AgendaItem.objects.filter(meeting__body__soort=Body.Kind.RVC).first()
    if item is None:
        from governance import services

        meeting = _rvc_meeting()
        item = services.agenda_item_add(by=_staff("secretaris"), meeting=meeting, titel="Besloten punt")
    return item


def _rvc_poll():
    from governance import services
    from governance.models import Body, Poll

    poll = Poll.objects.filter(body__soort=Body.Kind.RVC).first()
    if poll is None:
        item = _rvc_agenda_item()
        poll = services.poll_create(
            by=_staff("secretaris"), body=item.meeting.body, vraag="Besloten", regel="rvc", agenda_item=item
        )
    return poll


def _b_proxy():
    """MijnGemeenteDichtbij's proxy to Eindhoven for the ALV: A has no part in it."""
    from governance.models import Proxy

    return Proxy.objects.get(verlener__code="mijngemeentedichtbij")


def _proxy_with_file(demo):
    """Eindhoven's proxy to B with an uploaded signed PDF: A (Woerden) has no part in it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance import services
    from governance.models import Proxy

    existing = Proxy.objects.filter(verlener=demo.eindhoven).exclude(bestand="").first()
    if existing:
        return existing
    meeting = _b_proxy().meeting
    pdf = SimpleUploadedFile("volmacht.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return services.proxy_grant(
        by=Actor(user=demo.user("eindhoven@beware.demo"), member=demo.eindhoven),
        meeting=meeting,
        gevolmachtigde=demo.b,
        bestand=pdf,
    )


def _open_alv_poll_voter(demo, member):
    """README step 9: the secretaris approves B's proxy, checks members in and
    opens the ALV poll; the frozen voter row of `member`."""
    from governance import services
    from governance.models import Poll, PollVoter

    secretaris = Actor(user=demo.user("secretaris@beware.demo"))
    poll = Poll.objects.get(body__soort="alv", agenda_item__isnull=False)
    if poll.status == Poll.Status.CONCEPT:
        meeting = poll.agenda_item.meeting
        for proxy in meeting.proxies.filter(status="aangevraagd"):
            services.proxy_decide(by=secretaris, proxy=proxy, approve=proxy == _b_proxy())
        for present in (demo.eindhoven, demo.a):
            services.attendance_check_in(by=secretaris, meeting=meeting, member=present)
        poll = services.poll_open(by=secretaris, poll=poll)
    return PollVoter.objects.get(poll=poll, member=member)


def _contract():
    from governance.models import Contract

    return Contract.objects.order_by("-pk").first()


def _mandate():
    from governance.models import Mandate

    return Mandate.objects.first()


def _rvc_body():
    from governance.models import Body

    return Body.objects.get(soort=Body.Kind.RVC)


# --- the tables -----------------------------------------------------------------------

# Route name → the request for an object the A user must not reach (403 or 404).
DENIED: dict[str, Callable] = {
    # accounts: API keys are personal (decision 0022)
    "api_token_revoke": lambda d: Probe({"pk": _api_token(d).pk}, "post"),
    # membership: an applicant's page (decision 0008), and B's private organisation data
    "membership:detail": lambda d: Probe({"pk": d.applicant.pk}),
    "membership:organisation": lambda d: Probe({"pk": d.b.pk}),
    # valid form data throughout: these views check the permission in the service, after the form
    "membership:contact_add": lambda d: Probe(
        {"pk": d.b.pk}, "post", {"naam": "Mallory", "email": "m@evil.test", "functie": "x", "rol": _contact_role()}
    ),
    "membership:contact_remove": lambda d: Probe({"pk": d.b.pk, "contact_pk": _contact(d.b).pk}, "post"),
    "membership:factuurkenmerk": lambda d: Probe(
        {"pk": d.b.pk}, "post", {"jaar": date.today().year, "kenmerk": "GESTOLEN"}
    ),
    "membership:invite": lambda d: Probe({"pk": d.b.pk}),
    "membership:role_revoke": lambda d: Probe({"pk": d.b.pk, "role_pk": _role(d.b).pk}, "post"),
    "membership:agreement": lambda d: Probe({"pk": d.b.pk}),
    "membership:step": lambda d: Probe({"pk": d.b.pk, "step": "opzeggen"}, "post", {"datum": "2030-12-31"}),
    "membership:representation_add": lambda d: Probe(
        {"pk": d.b.pk}, "post", {"gemeente": _free_gemeente().pk, "geldig_van": "2030-01-01"}
    ),
    "membership:representation_end": lambda d: Probe(
        {"pk": d.b.pk, "representation_pk": _representation(d.b).pk}, "post", {"geldig_tot": "2030-01-01"}
    ),
    # communities: managing participants, coordinators, documents and keys is for coordinators and staff
    "communities:edit": lambda d: Probe({"slug": _community_not_coordinated(d).slug}),
    "communities:participant_add": lambda d: Probe(
        {"slug": _community_not_coordinated(d).slug}, "post", {"member": d.a.pk}
    ),
    "communities:accept": lambda d: Probe(
        {"slug": _pending_request(d).community.slug, "pk": _pending_request(d).pk}, "post"
    ),
    "communities:reject": lambda d: Probe(
        {"slug": _pending_request(d).community.slug, "pk": _pending_request(d).pk}, "post", {"reden": "x"}
    ),
    "communities:end": lambda d: Probe(
        {
            "slug": _participation(d.b, status="deelnemer").community.slug,
            "pk": _participation(d.b, status="deelnemer").pk,
        },
        "post",
        {"einddatum": date.today().isoformat()},
    ),
    "communities:coordinator_add": lambda d: Probe(
        {"slug": _community_not_coordinated(d).slug}, "post", {"email": d.a_user.email}
    ),
    "communities:coordinator_remove": lambda d: Probe(
        {"slug": _coordinator().community.slug, "pk": _coordinator().pk}, "post"
    ),
    "communities:document_add": lambda d: Probe({"slug": _community_not_coordinated(d).slug}, "post"),
    "communities:application_token_create": lambda d: Probe(
        {"slug": _community_not_coordinated(d).slug}, "post", {"naam": "x"}
    ),
    "communities:application_token_revoke": lambda d: Probe(
        {"slug": _app_token().community.slug, "pk": _app_token().pk}, "post"
    ),
    # business cases: preparing is for coordinators and staff, deciding for the directie
    "businesscases:new": lambda d: Probe({"slug": _community_not_coordinated(d).slug}),
    "businesscases:edit": lambda d: Probe({"pk": _business_case("concept").pk}),
    "businesscases:cost_line_add": lambda d: Probe({"pk": _business_case("concept").pk}, "post"),
    "businesscases:cost_line_remove": lambda d: Probe(
        {"pk": _cost_line().business_case_id, "line_pk": _cost_line().pk}, "post"
    ),
    "businesscases:percentages": lambda d: Probe({"pk": _business_case("concept").pk}, "post"),
    "businesscases:submit": lambda d: Probe({"pk": _business_case("concept").pk}, "post"),
    "businesscases:reopen": lambda d: Probe({"pk": _business_case("ter_besluitvorming").pk}, "post"),
    "businesscases:decide": lambda d: Probe(
        {"pk": _business_case("ter_besluitvorming").pk}, "post", {"besluit": "go", "datum": date.today().isoformat()}
    ),
    "businesscases:yearly": lambda d: Probe({"pk": _business_case("besloten").pk}, "post", {"jaar": 2020}),
    # invoicing: B's invoice and its documents; the directie's actions and runs
    "invoicing:detail": lambda d: Probe({"pk": _invoice(d.b).pk}),
    "invoicing:pdf": lambda d: Probe({"pk": _invoice(d.b).pk}),
    "invoicing:ubl": lambda d: Probe({"pk": _invoice(d.b).pk}),
    "invoicing:finalise": lambda d: Probe({"pk": _invoice(d.b).pk}, "post"),
    "invoicing:delete": lambda d: Probe({"pk": _invoice(d.b).pk}, "post"),
    "invoicing:payment": lambda d: Probe(
        {"pk": _invoice(d.b).pk}, "post", {"datum": date.today().isoformat(), "bedrag": "1.00"}
    ),
    "invoicing:credit_note": lambda d: Probe({"pk": _invoice(d.b).pk}, "post", {"bedrag": "1.00", "reden": "x"}),
    "invoicing:batch": lambda d: Probe({"pk": _batch().pk}),
    "invoicing:batch_progress": lambda d: Probe({"pk": _batch().pk}),
    # governance: the RvC's body, meetings, polls and confidential documents; registers and terms
    "governance:appoint": lambda d: Probe({"slug": _rvc_body().slug}),
    "governance:mandate_end": lambda d: Probe({"pk": _mandate().pk}, "post"),
    "governance:mandate_change_function": lambda d: Probe({"pk": _mandate().pk}, "post"),
    "governance:person_edit": lambda d: Probe({"pk": _mandate().person_id}),
    "governance:quarterly": lambda d: Probe({"jaar": date.today().year, "kwartaal": 1}),
    "governance:document": lambda d: Probe({"pk": _confidential_document().pk}),
    "governance:document_download": lambda d: Probe({"pk": _confidential_document().pk, "nummer": 1}),
    "governance:document_version": lambda d: Probe({"pk": _confidential_document().pk}, "post"),
    "governance:document_adopt": lambda d: Probe({"pk": _confidential_document().pk}, "post"),
    "governance:document_share": lambda d: Probe({"pk": _confidential_document().pk}, "post"),
    "governance:meeting": lambda d: Probe({"pk": _rvc_meeting().pk}),
    "governance:meeting_convene": lambda d: Probe({"pk": _rvc_meeting().pk}, "post"),
    "governance:meeting_check_in": lambda d: Probe({"pk": _rvc_meeting().pk}, "post"),
    "governance:meeting_self_check_in": lambda d: Probe({"pk": _rvc_meeting().pk}, "post"),
    "governance:meeting_conflict": lambda d: Probe({"pk": _rvc_meeting().pk}, "post"),
    "governance:agenda_item_add": lambda d: Probe({"pk": _rvc_meeting().pk}),
    "governance:agenda_item_minutes": lambda d: Probe({"pk": _rvc_agenda_item().pk}, "post", {"verslag": "x"}),
    "governance:meeting_minutes_pdf": lambda d: Probe({"pk": _rvc_meeting().pk}),
    "governance:meeting_export_csv": lambda d: Probe({"pk": _rvc_meeting().pk}),
    "governance:proxy_grant": lambda d: Probe({"pk": _rvc_meeting().pk}, "post", {"gevolmachtigde": d.b.pk}),
    "governance:proxy_decide": lambda d: Probe({"pk": _b_proxy().pk}, "post", {"besluit": "goedkeuren"}),
    "governance:proxy_revoke": lambda d: Probe({"pk": _b_proxy().pk}, "post"),
    "governance:proxy_file": lambda d: Probe({"pk": _proxy_with_file(d).pk}),
    "governance:poll_new": lambda d: Probe({"pk": _rvc_agenda_item().pk}),
    "governance:poll": lambda d: Probe({"pk": _rvc_poll().pk}),
    "governance:poll_progress": lambda d: Probe({"pk": _rvc_poll().pk}),
    "governance:poll_open": lambda d: Probe({"pk": _rvc_poll().pk}, "post"),
    "governance:poll_close": lambda d: Probe({"pk": _rvc_poll().pk}, "post"),
    "governance:poll_conflict": lambda d: Probe({"pk": _rvc_poll().pk}, "post"),
    # A votes on Eindhoven's frozen ballot slot in the open ALV poll
    "governance:poll_vote": lambda d: (
        lambda voter: Probe({"pk": voter.poll_id, "voter_pk": voter.pk}, "post", {f"stem-{voter.pk}-keuze": "tegen"})
    )(_open_alv_poll_voter(d, d.eindhoven)),
    "governance:contract": lambda d: Probe({"pk": _contract().pk}),
    "governance:contract_approve": lambda d: Probe({"pk": _contract().pk}, "post"),
    "governance:contract_sign": lambda d: Probe({"pk": _contract().pk}, "post"),
    # API (token of the A user)
    "api:factuur-detail": lambda d: Probe({"nummer": _invoice(d.b).nummer}),
    "api:factuur-pdf": lambda d: Probe({"nummer": _invoice(d.b).nummer}),
    "api:factuur-ubl": lambda d: Probe({"nummer": _invoice(d.b).nummer}),
    "api:document-detail": lambda d: Probe({"pk": _confidential_document().pk}),
    "api:document-versie": lambda d: Probe({"pk": _confidential_document().pk, "nummer": 1}),
    "api:lid-detail": lambda d: Probe({"pk": d.applicant.pk}),
    "api:businesscase-besluit": lambda d: Probe(
        {"pk": _business_case("ter_besluitvorming").pk}, "post", {"besluit": "go", "datum": date.today().isoformat()}
    ),
    # the quote for B joining: only whoever may ask to join for B, or manages the community
    "api:businesscase-toetreding": lambda d: Probe({"pk": _business_case("besloten").pk}, query={"lid": d.b.pk}),
    "api:vergadering-detail": lambda d: Probe({"pk": _rvc_meeting().pk}),
    "api:stemming-detail": lambda d: Probe({"pk": _rvc_poll().pk}),
}

# Route name (or prefix ending in ":") → why it is not in DENIED.
PUBLIC_TO_MEMBERS = {
    "/beheer/": "the Django admin: is_staff only (tested in test_a_member_user_cannot_enter_the_admin)",
    "account_confirm_email": "allauth: a one-time key, not an object; e-mail addresses are switched off",
    "account_reset_password_from_key": "allauth: the password-reset key is the secret itself",
    "communities:detail": "decision 0013: every logged-in user sees every community page",
    "communities:join": "decision 0013: the quote and request are for the acting member only (its own object)",
    "communities:document": "decision 0013: community documents are for every logged-in user",
    "businesscases:detail": "decision 0013: business cases with the amounts per participant are open to all members",
    "governance:body": "governance bodies and their members are public to the membership (decision 0018)",
    "api:gemeente-detail": "gemeenten are public reference data (CBS codes and names)",
    "api:inwonertal-list": "inwonertallen are public (CBS) figures, shown in the public register (0008)",
    "api:contributietarief-detail": "the contributie rate per year is the same for every member",
    "api:lid-inwoners": "inwoners per member are public register data (0008); an applicant is hidden by the same "
    "get_object() as api:lid-detail, which DENIED covers",
    "api:community-detail": "decision 0013",
    "api:deelnemer-list": "decision 0013: who takes part in a community is open",
    "api:businesscase-detail": "decision 0013",
    "api:businesscase-verdeling": "decision 0013: the split per participant is open",
    "/api/v1//": "the API's catch-all 404 problem: no object, no data",
}
