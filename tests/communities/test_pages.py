"""Community pages through the test client: catalogue, community page, the
join quote, accepting and leaving, permissions and query budgets."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from beware.common.audit import Actor
from beware.common.models import AuditEvent
from businesscases import services as bc_services
from businesscases.models import Settlement
from communities import services
from communities.models import Community, CommunityDocument, Participation
from membership.models import Member, MemberRole
from tests.conftest import login
from tests.factories import CommunityFactory, MemberFactory, member_user, member_with_inwoners

SYSTEM = Actor.system()
pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    sizes = {"a": 200_000, "b": 50_000, "c": 30_000, "d": 50_000}
    return {code: member_with_inwoners(code, size) for code, size in sizes.items()}


@pytest.fixture
def decided(members, directie):
    """The worked example: A, B and C decided on 120.000,00 one-off costs."""
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=members["a"])
    for code in "abc":
        services.participation_add(community, members[code], by=SYSTEM, datum=date(2024, 2, 1))
    bc = bc_services.businesscase_create(community, by=SYSTEM, titel="Zaakafhandeling", peildatum=date(2024, 1, 1))
    bc_services.cost_line_add(bc, by=SYSTEM, soort="ontwikkeling", omschrijving="Bouw", bedrag=Decimal("120000.00"))
    bc_services.businesscase_submit(bc, by=SYSTEM)
    bc_services.businesscase_decide(bc, by=Actor(user=directie), go=True, datum=date(2024, 3, 1))
    return community


@pytest.fixture
def representative(members):
    return member_user(members["d"], MemberRole.Role.COMMUNITY_CONTACT)


@pytest.fixture
def coordinator(decided, members):
    user = member_user(members["a"], MemberRole.Role.COMMUNITY_CONTACT)
    services.coordinator_add(decided, user, by=SYSTEM)
    return user


def test_the_join_page_shows_the_quote_from_the_kernel(decided, representative):
    page = login(representative).get("/communities/zaken/deelnemen/").content.decode()
    assert "€ 18.181,82" in page
    for credit in ("€ 12.987,02", "€ 3.246,75", "€ 1.948,05"):
        assert credit in page
    assert not Participation.objects.filter(member__code="d").exists()


def test_asking_to_join_then_a_coordinator_accepts(decided, representative, coordinator, members):
    response = login(representative).post("/communities/zaken/deelnemen/", {"toelichting": "Wij willen graag mee."})
    assert response.status_code == 302
    request = Participation.objects.get(member=members["d"], status="aangevraagd")
    response = login(coordinator).post(
        f"/communities/zaken/deelnames/{request.pk}/accepteren/", {"datum": "2024-06-01"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.datum, request.fase) == ("deelnemer", date(2024, 6, 1), "ontwikkeling")
    assert Settlement.objects.get(member=members["d"]).bedrag == Decimal("18181.82")
    page = login(representative).get("/communities/zaken/").content.decode()
    assert "Gemeente D is deelnemer sinds 1 juni 2024." in page


def test_a_member_user_cannot_accept_a_request(decided, representative, members):
    services.participation_request(decided, members["d"], by=Actor(user=representative, member=members["d"]))
    request = Participation.objects.get(member=members["d"])
    response = login(representative).post(
        f"/communities/zaken/deelnames/{request.pk}/accepteren/", {"datum": "2024-06-01"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "aangevraagd"


def test_a_financial_contact_gets_no_join_page(decided, members):
    finance = member_user(members["d"], MemberRole.Role.FINANCIEEL_CONTACT)
    assert login(finance).get("/communities/zaken/deelnemen/").status_code == 403
    assert login(finance).post("/communities/zaken/deelnemen/", {}).status_code == 403
    assert not Participation.objects.filter(member=members["d"]).exists()


def test_a_coordinator_of_another_community_cannot_manage_this_one(decided, members):
    other = CommunityFactory(trekker=members["b"])
    user = member_user(members["b"], MemberRole.Role.COMMUNITY_CONTACT)
    services.coordinator_add(other, user, by=SYSTEM)
    client = login(user)
    assert client.get("/communities/zaken/bewerken/").status_code == 403
    response = client.post("/communities/zaken/deelnemers/", {"lid": members["d"].pk, "datum": "2024-06-01"})
    assert response.status_code == 403
    assert not Participation.objects.filter(member=members["d"]).exists()


def test_a_non_active_member_is_refused_with_a_clear_message(decided, directie, members):
    members["d"].status = "opgezegd"
    members["d"].save()
    response = login(directie).post(
        "/communities/zaken/deelnemers/", {"lid": members["d"].pk, "datum": "2024-06-01"}, follow=True
    )
    # Not active members are not even offered; the form names the field.
    assert "Lid:" in response.content.decode()
    assert not Participation.objects.filter(member=members["d"]).exists()


def test_a_member_records_its_own_departure_from_today_on(decided, members):
    own = member_user(members["b"], MemberRole.Role.LID_BEHEERDER)
    participation = Participation.objects.get(member=members["b"], community=decided)
    url = f"/communities/zaken/deelnames/{participation.pk}/vertrek/"
    response = login(own).post(url, {"einddatum": "2024-12-31"}, follow=True)
    assert "Een vertrek legt u vast per vandaag of later." in response.content.decode()
    participation.refresh_from_db()
    assert participation.einddatum is None
    end = timezone.localdate() + timedelta(days=40)
    assert login(own).post(url, {"einddatum": end.isoformat()}).status_code == 302
    participation.refresh_from_db()
    assert participation.einddatum == end
    assert AuditEvent.objects.filter(action="community.deelname_beeindigd").exists()


def test_another_members_user_cannot_end_a_participation(decided, members, representative):
    participation = Participation.objects.get(member=members["b"], community=decided)
    response = login(representative).post(
        f"/communities/zaken/deelnames/{participation.pk}/vertrek/", {"einddatum": "2024-12-31"}
    )
    assert response.status_code == 403
    participation.refresh_from_db()
    assert participation.einddatum is None


def test_the_directie_creates_and_a_member_user_may_not(directie, members, representative):
    data = {"naam": "Open Raadsinformatie", "slug": "ori", "samenvatting": "Raadsinformatie open.", "status": "idee"}
    data |= {"domein": "dienstverlening", "trekker": members["a"].pk}
    assert login(representative).post("/communities/nieuw/", data).status_code == 403
    assert not Community.objects.filter(slug="ori").exists()
    response = login(directie).post("/communities/nieuw/", data)
    assert response.status_code == 302
    assert Community.objects.get(slug="ori").trekker == members["a"]


def test_catalogue_search_and_filters(members, representative):
    CommunityFactory(naam="Signalen", slug="signalen", domein="ruimte", status="productie", trekker=members["a"])
    CommunityFactory(naam="Open Zaak", slug="open-zaak", domein="bedrijfsvoering", status="idee", trekker=members["b"])
    client = login(representative)

    def names(query: str) -> list[str]:
        page = client.get(f"/communities/?{query}").content.decode()
        return [n for n in ("Signalen", "Open Zaak") if f">{n}</a>" in page]

    assert names("") == ["Signalen", "Open Zaak"]
    assert names("zoekterm=signa") == ["Signalen"]
    assert names("status=idee") == ["Open Zaak"]
    assert names("domein=ruimte") == ["Signalen"]
    assert names(f"trekker={members['b'].pk}") == ["Open Zaak"]


def test_documents_are_downloaded_through_the_portal_only(decided, directie, representative):
    response = login(directie).post(
        "/communities/zaken/documenten/",
        {"titel": "Projectplan", "bestand": SimpleUploadedFile("projectplan.pdf", b"%PDF-1.4 test")},
    )
    assert response.status_code == 302
    document = CommunityDocument.objects.get()
    url = f"/communities/zaken/documenten/{document.pk}/"
    assert login(representative).get(url).status_code == 200
    from django.test import Client

    assert Client().get(url).status_code == 302  # to the login page


def test_the_catalogue_takes_constant_queries(members, representative, django_assert_max_num_queries):
    trekker = members["a"]
    Community.objects.bulk_create(
        Community(slug=f"c{i}", naam=f"Community {i:03d}", samenvatting="x", domein="dienstverlening", trekker=trekker)
        for i in range(100)
    )
    Participation.objects.bulk_create(
        Participation(community=c, member=m, status="deelnemer", datum=date(2024, 1, 1), fase="idee")
        for c in Community.objects.all()
        for m in members.values()
    )
    client = login(representative)
    client.get("/communities/")  # warm caches (session, content types)
    with django_assert_max_num_queries(10):
        page = client.get("/communities/").content.decode()
    assert "Community 049" in page
    assert ">4<" in page  # participant count


def test_the_community_page_with_300_participants_takes_constant_queries(
    decided, coordinator, django_assert_max_num_queries
):
    many = MemberFactory.create_batch(300)
    Participation.objects.bulk_create(
        Participation(community=decided, member=m, status="deelnemer", datum=date(2024, 4, 1), fase="ontwikkeling")
        for m in many
    )
    client = login(coordinator)
    client.get("/communities/zaken/")
    with django_assert_max_num_queries(20):  # 19, and one for the application keys a coordinator manages
        page = client.get("/communities/zaken/").content.decode()
    assert page.count('<th scope="row" class="utrecht-table__cell">') >= 303
    assert Member.objects.count() >= 304


def test_a_coordinator_rejects_a_request_with_a_reason(decided, representative, coordinator, members):
    services.participation_request(decided, members["d"], by=Actor(user=representative, member=members["d"]))
    request = Participation.objects.get(member=members["d"])
    url = f"/communities/zaken/deelnames/{request.pk}/afwijzen/"
    response = login(coordinator).post(url, {"toelichting": ""}, follow=True)
    assert "Reden van afwijzing: Dit veld is vereist." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "aangevraagd"
    response = login(coordinator).post(url, {"toelichting": "Past niet bij uw applicatielandschap."}, follow=True)
    assert "De aanvraag van Gemeente D is afgewezen." in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.beoordeeld_door) == ("afgewezen", coordinator)
    assert AuditEvent.objects.filter(action="community.deelname_afgewezen", actor=coordinator).exists()


def test_a_refused_accept_shows_the_service_message_and_stores_nothing(decided, representative, coordinator, members):
    services.participation_request(decided, members["d"], by=Actor(user=representative, member=members["d"]))
    request = Participation.objects.get(member=members["d"])
    response = login(coordinator).post(
        f"/communities/zaken/deelnames/{request.pk}/accepteren/", {"datum": "2040-01-01"}, follow=True
    )
    assert "Datum: De datum van deelname kan niet in de toekomst liggen." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "aangevraagd"
    assert not Settlement.objects.exists()
