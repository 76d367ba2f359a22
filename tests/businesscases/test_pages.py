"""The business case pages: every member may look, managers edit while it is
a concept, the directie decides; the page shows the stored amounts and costs
a fixed number of queries however many participants there are."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beware.common.audit import Actor
from businesscases import selectors, services
from businesscases.forms import BusinessCaseForm
from businesscases.models import BusinessCase, CostLine, FixedPercentage, Settlement, Share, YearlyAllocation
from communities import services as community_services
from communities.models import Participation
from membership import admission
from membership.models import Gemeente, Inwonertal, Member, MemberRole, Representation
from tests.conftest import login
from tests.factories import CommunityFactory, member_user, member_with_inwoners

pytestmark = pytest.mark.django_db

D = Decimal
SYSTEM = Actor.system()
GO = date(2024, 3, 1)


@pytest.fixture
def members(db):
    """DOMAIN.md §3.4's worked example: A, B, C, and late joiner D."""
    sizes = {"a": 200_000, "b": 50_000, "c": 30_000, "d": 50_000}
    return {code: member_with_inwoners(code, size) for code, size in sizes.items()}


@pytest.fixture
def community(members):
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=members["a"])
    for code in "abc":
        community_services.participation_add(community, members[code], by=SYSTEM, datum=date(2024, 2, 1))
    return community


def concept_case(community, **fields) -> BusinessCase:
    business_case = services.businesscase_create(
        community, by=SYSTEM, titel="Zaakafhandeling bouwen", peildatum=date(2024, 1, 1), **fields
    )
    services.cost_line_add(business_case, by=SYSTEM, soort="ontwikkeling", omschrijving="Bouw", bedrag=D("120000.00"))
    services.cost_line_add(business_case, by=SYSTEM, soort="hosting", omschrijving="Hosting", bedrag=D("12000.00"))
    return business_case


@pytest.fixture
def concept(community):
    return concept_case(community)


@pytest.fixture
def proposed(concept):
    return services.businesscase_submit(concept, by=SYSTEM)


@pytest.fixture
def decided(proposed, directie):
    return services.businesscase_decide(proposed, by=Actor(user=directie), go=True, datum=GO)


def detail(business_case) -> str:
    return reverse("businesscases:detail", args=[business_case.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_form_offers_exactly_the_editable_fields():
    assert set(BusinessCaseForm._meta.fields) == services.EDITABLE_FIELDS


class TestDetailPage:
    def test_after_go_shows_the_stored_amounts(self, decided, eindhoven_user):
        response = login(eindhoven_user).get(detail(decided))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Vastgelegde verdeling van het go-besluit van 1 maart 2024" in content
        for amount in ("€ 85.714,29", "€ 21.428,57", "€ 12.857,14", "€ 120.000,00"):
            assert amount in content
        assert "Besloten (go)" in content
        assert reverse("communities:detail", args=["zaken"]) in content
        # A member browses; it gets no forms.
        assert "Besluit vastleggen" not in content
        assert "Jaarlijkse kosten van een jaar verdelen" not in content

    def test_before_go_shows_a_preview_over_the_current_participants(self, concept, eindhoven_user):
        content = login(eindhoven_user).get(detail(concept)).content.decode()
        assert "Voorlopige verdeling over de huidige deelnemers." in content
        assert "€ 85.714,29" in content

    def test_shows_costs_tco_and_the_curve(self, concept, eindhoven_user):
        services.cost_line_add(
            concept, by=SYSTEM, soort="personeel_eenmalig", omschrijving="Leider", uren=D("100"), uurtarief=D("95")
        )
        content = login(eindhoven_user).get(detail(concept)).content.decode()
        assert "100 × € 95,00" in content
        assert "€ 9.500,00" in content
        # 5 years: 120.000 + 5 × 12.000 + 9.500.
        assert "€ 189.500,00" in content
        assert 'role="img"' in content
        assert "Wie erbij komt" in content
        # 120.000 / 5 + 12.000 = 36.000 per year; over 3 participants 12.000 each.
        assert "€ 36.000,00" in content
        assert "€ 12.000,00" in content

    def test_an_error_in_the_preview_is_shown(self, concept, members, eindhoven_user):
        Inwonertal.objects.filter(gemeente__representations__member=members["b"]).delete()
        content = login(eindhoven_user).get(detail(concept)).content.decode()
        assert "Geen inwonertal bekend voor B" in content

    def test_late_joins_show_the_charge_and_the_credits(self, decided, community, members, eindhoven_user):
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        content = login(eindhoven_user).get(detail(decided)).content.decode()
        for amount in ("€ 18.181,82", "€ 12.987,02", "€ 3.246,75", "€ 1.948,05"):
            assert amount in content
        assert "Late toetreders" in content

    def test_the_curve_geometry_puts_the_largest_cost_in_the_longest_bar(self, concept):
        chart = selectors.cost_curve_chart(selectors.cost_curve(concept, today=date(2024, 6, 1)))
        widths = [bar.width for bar in chart.per_deelnemer]
        assert widths[0] == selectors.CURVE_LENGTH
        assert widths == sorted(widths, reverse=True)
        assert all(bar.text_x > bar.x + bar.width for bar in chart.per_inwoner)


class TestMembersOnlyLook:
    @pytest.fixture
    def client(self, eindhoven_user):
        return login(eindhoven_user)

    def test_new_and_edit_pages_are_refused(self, client, concept, community):
        new = reverse("businesscases:new", args=[community.slug])
        edit = reverse("businesscases:edit", args=[concept.pk])
        assert client.get(new).status_code == 403
        data = {"titel": "Stiekem", "horizon_jaren": 5, "verdeelsleutel": "gelijk"}
        assert client.post(new, data).status_code == 403
        assert client.get(edit).status_code == 403
        assert client.post(edit, data).status_code == 403
        assert BusinessCase.objects.get().titel == "Zaakafhandeling bouwen"

    def test_writes_are_refused_and_change_nothing(self, client, proposed, concept):

        def url(name, *args):
            return reverse(f"businesscases:{name}", args=[proposed.pk, *args])

        line = proposed.cost_lines.first()
        posts = {
            url("cost_line_add"): {"kosten-soort": "aanschaf", "kosten-omschrijving": "X", "kosten-bedrag": "1"},
            url("cost_line_remove", line.pk): {},
            url("decide"): {"besluit-besluit": "go", "besluit-datum": "2024-03-01"},
            url("reopen"): {},
            url("submit"): {},
            url("percentages"): {},
            url("yearly"): {"jaarverdeling-jaar": "2024"},
        }
        for target, data in posts.items():
            assert client.post(target, data).status_code == 403, target
        assert CostLine.objects.count() == 2
        assert not Share.objects.exists()
        proposed.refresh_from_db()
        assert proposed.status == BusinessCase.Status.TER_BESLUITVORMING

    def test_get_on_a_write_is_not_allowed(self, client, concept):
        assert client.get(reverse("businesscases:cost_line_add", args=[concept.pk])).status_code == 405


class TestManaging:
    def test_the_manager_creates_a_business_case(self, manager, community):
        response = login(manager).post(
            reverse("businesscases:new", args=[community.slug]),
            {"titel": "Nieuwe module", "horizon_jaren": "5", "verdeelsleutel": "inwoners", "peildatum": "2024-01-01"},
        )
        business_case = BusinessCase.objects.get(titel="Nieuwe module")
        assert response.status_code == 302
        assert response["Location"] == detail(business_case)
        assert (business_case.community, business_case.status) == (community, BusinessCase.Status.CONCEPT)

    def test_an_invalid_new_form_is_shown_again_with_its_errors(self, manager, community):
        response = login(manager).post(
            reverse("businesscases:new", args=[community.slug]), {"titel": "", "horizon_jaren": "40"}
        )
        assert response.status_code == 200
        assert 'class="utrecht-form-field utrecht-form-field--invalid"' in response.content.decode()
        assert not BusinessCase.objects.exists()

    def test_the_manager_adds_cost_lines_through_the_page(self, manager, concept):
        client = login(manager)
        url = reverse("businesscases:cost_line_add", args=[concept.pk])
        data = {"kosten-soort": "licenties", "kosten-omschrijving": "Licentie", "kosten-bedrag": "2500"}
        response = client.post(url, data)
        assert response.status_code == 302
        assert concept.cost_lines.get(omschrijving="Licentie").bedrag == D("2500.00")
        client.post(
            url,
            {
                "kosten-soort": "personeel_jaarlijks",
                "kosten-omschrijving": "Functioneel beheer",
                "kosten-uren": "200",
                "kosten-uurtarief": "80",
            },
        )
        staff = concept.cost_lines.get(omschrijving="Functioneel beheer")
        assert (staff.uren, staff.uurtarief, staff.bedrag) == (D("200.0"), D("80.00"), D("16000.00"))

    def test_personeelsinzet_without_hours_is_refused_in_dutch(self, manager, concept):
        response = login(manager).post(
            reverse("businesscases:cost_line_add", args=[concept.pk]),
            {"kosten-soort": "personeel_eenmalig", "kosten-omschrijving": "Inzet", "kosten-bedrag": "100"},
        )
        assert texts(response) == ["Uren en uurtarief: Vul bij personeelsinzet de uren en het uurtarief in."]
        assert concept.cost_lines.count() == 2

    def test_the_manager_removes_a_cost_line(self, manager, concept):
        line = concept.cost_lines.get(omschrijving="Hosting")
        login(manager).post(reverse("businesscases:cost_line_remove", args=[concept.pk, line.pk]))
        assert not CostLine.objects.filter(pk=line.pk).exists()

    def test_a_coordinator_of_the_community_manages_it(self, concept, community, members):
        coordinator = member_user(members["a"], MemberRole.Role.COMMUNITY_CONTACT)
        community_services.coordinator_add(community, coordinator, by=SYSTEM)
        client = login(coordinator)
        assert client.get(reverse("businesscases:edit", args=[concept.pk])).status_code == 200
        client.post(reverse("businesscases:submit", args=[concept.pk]))
        concept.refresh_from_db()
        assert concept.status == BusinessCase.Status.TER_BESLUITVORMING

    def test_a_coordinator_of_another_community_may_not(self, concept, members):
        other = CommunityFactory(trekker=members["d"])
        coordinator = member_user(members["d"], MemberRole.Role.COMMUNITY_CONTACT)
        community_services.coordinator_add(other, coordinator, by=SYSTEM)
        assert login(coordinator).get(reverse("businesscases:edit", args=[concept.pk])).status_code == 403

    def test_edit_saves_the_changed_fields(self, manager, concept):
        client = login(manager)
        url = reverse("businesscases:edit", args=[concept.pk])
        form = client.get(url).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(titel="Zaakafhandeling 2.0", afschrijvingsjaren="5", peildatum="2024-01-01")
        response = client.post(url, data)
        assert response.status_code == 302
        concept.refresh_from_db()
        assert (concept.titel, concept.afschrijvingsjaren) == ("Zaakafhandeling 2.0", 5)

    def test_edit_after_the_concept_redirects_with_a_message(self, manager, decided):
        response = login(manager).get(reverse("businesscases:edit", args=[decided.pk]))
        assert response.status_code == 302
        assert texts(response) == ["Alleen een concept kan worden bewerkt; deze businesscase is besloten (go)."]

    def test_submit_without_costs_is_refused_in_dutch(self, manager, community):
        empty = services.businesscase_create(community, by=SYSTEM, titel="Leeg")
        response = login(manager).post(reverse("businesscases:submit", args=[empty.pk]))
        assert texts(response) == ["Kosten: Voeg eerst de kosten toe."]
        empty.refresh_from_db()
        assert empty.status == BusinessCase.Status.CONCEPT

    def test_submit_and_back_to_concept(self, manager, concept):
        client = login(manager)
        client.post(reverse("businesscases:submit", args=[concept.pk]))
        concept.refresh_from_db()
        assert concept.status == BusinessCase.Status.TER_BESLUITVORMING
        content = client.get(detail(concept)).content.decode()
        assert "Terug naar concept" in content
        assert "Besluit vastleggen" not in content  # the operationeel manager does not decide
        client.post(reverse("businesscases:reopen", args=[concept.pk]))
        concept.refresh_from_db()
        assert concept.status == BusinessCase.Status.CONCEPT

    def test_the_manager_stores_a_yearly_allocation(self, manager, decided):
        client = login(manager)
        assert "Jaarlijkse kosten van een jaar verdelen" in client.get(detail(decided)).content.decode()
        client.post(reverse("businesscases:yearly", args=[decided.pk]), {"jaarverdeling-jaar": "2024"})
        yearly = YearlyAllocation.objects.get(business_case=decided, jaar=2024)
        assert yearly.totaal == D("12000.00")
        content = client.get(detail(decided)).content.decode()
        assert "Jaarlijkse kosten 2024 per deelnemer" in content
        response = client.post(reverse("businesscases:yearly", args=[decided.pk]), {"jaarverdeling-jaar": "2024"})
        assert texts(response) == ["Jaar: De jaarlijkse kosten van 2024 zijn al verdeeld."]


class TestFixedPercentages:
    @pytest.fixture
    def vast(self, community):
        business_case = services.businesscase_create(community, by=SYSTEM, titel="Oprichting", verdeelsleutel="vast")
        services.cost_line_add(
            business_case, by=SYSTEM, soort="implementatie", omschrijving="Opzet", bedrag=D("92500.00")
        )
        return business_case

    def post(self, client, business_case, members, values):
        data = {f"percentages-lid_{members[code].pk}": value for code, value in values.items()}
        return client.post(reverse("businesscases:percentages", args=[business_case.pk]), data)

    def test_the_form_has_one_labelled_input_per_participant(self, manager, vast, members):
        content = login(manager).get(detail(vast)).content.decode()
        for code in "abc":
            assert f'for="id_percentages-lid_{members[code].pk}"' in content
        assert f'for="id_percentages-lid_{members["d"].pk}"' not in content

    def test_percentages_not_summing_to_100_are_refused_and_nothing_is_stored(self, manager, vast, members):
        response = self.post(login(manager), vast, members, {"a": "50", "b": "25", "c": "24.99"})
        assert texts(response) == [
            "Vaste percentages: De vaste percentages tellen op tot 99,99%; dat moet precies 100% zijn."
        ]
        assert not FixedPercentage.objects.exists()

    def test_percentages_of_100_are_stored_and_decide_the_split(self, manager, directie, vast, members):
        self.post(login(manager), vast, members, {"a": "50", "b": "25", "c": "25", "d": ""})
        assert {fp.member.code: fp.percentage for fp in FixedPercentage.objects.all()} == {
            "a": D("50.00"),
            "b": D("25.00"),
            "c": D("25.00"),
        }
        content = login(manager).get(detail(vast)).content.decode()
        assert "€ 46.250,00" in content and "€ 23.125,00" in content


class TestDeciding:
    def decide(self, client, business_case, **data):
        return client.post(
            reverse("businesscases:decide", args=[business_case.pk]),
            {f"besluit-{name}": value for name, value in data.items()},
        )

    def test_the_directie_sees_whom_the_decision_fixes(self, directie, proposed):
        content = login(directie).get(detail(proposed)).content.decode()
        assert "Besluit vastleggen" in content
        assert "de aandelen van deze 3 deelnemers vastgelegd" in content
        assert 'type="radio"' in content and 'type="date"' in content

    def test_the_directie_decides_go_through_the_page(self, directie, proposed):
        response = self.decide(
            login(directie), proposed, besluit="go", datum="2024-03-01", golive="2024-04-01", toelichting="Akkoord."
        )
        assert response.status_code == 302
        proposed.refresh_from_db()
        assert (proposed.status, proposed.golive, proposed.besloten_door) == (
            BusinessCase.Status.BESLOTEN,
            date(2024, 4, 1),
            directie,
        )
        assert {s.member.code: s.bedrag for s in Share.objects.filter(business_case=proposed)} == {
            "a": D("85714.29"),
            "b": D("21428.57"),
            "c": D("12857.14"),
        }

    def test_no_go_stores_no_shares(self, directie, proposed):
        self.decide(login(directie), proposed, besluit="no-go", datum="2024-03-01", toelichting="Te duur.")
        proposed.refresh_from_db()
        assert proposed.status == BusinessCase.Status.AFGEWEZEN
        assert not Share.objects.exists()
        content = login(directie).get(detail(proposed)).content.decode()
        assert "Geen verdeling: de businesscase is afgewezen." in content

    def test_the_manager_may_not_decide(self, manager, proposed):
        assert self.decide(login(manager), proposed, besluit="go", datum="2024-03-01").status_code == 403
        proposed.refresh_from_db()
        assert proposed.status == BusinessCase.Status.TER_BESLUITVORMING
        assert not Share.objects.exists()

    def test_a_go_live_before_the_decision_is_refused(self, directie, proposed):
        response = self.decide(login(directie), proposed, besluit="go", datum="2024-03-01", golive="2024-02-01")
        assert texts(response) == ["Go-live: De go-live ligt vóór de besluitdatum."]
        assert not Share.objects.exists()

    def test_a_missing_inwonertal_is_named(self, directie, proposed, members):
        Inwonertal.objects.filter(gemeente__representations__member=members["b"]).delete()
        response = self.decide(login(directie), proposed, besluit="go", datum="2024-03-01")
        (message,) = texts(response)
        assert message.startswith("Peildatum: Gemeente B: Geen inwonertal bekend voor B")
        assert not Share.objects.exists()


def _community_with_participants(count: int, *, prefix: str):
    """`count` active members with inwoners for 2024, all participants of one
    community, built in bulk (the services would take minutes for 300)."""
    members = Member.objects.bulk_create(
        Member(
            code=f"{prefix}{i}",
            naam=f"Gemeente {prefix.title()} {i}",
            soort=Member.Kind.GEMEENTE,
            status=admission.ACTIEF,
            ingangsdatum=date(2020, 1, 1),
        )
        for i in range(count)
    )
    offset = 5000 if prefix == "groot" else 8000
    gemeenten = Gemeente.objects.bulk_create(
        Gemeente(code=f"GM{offset + i:04d}", naam=f"{prefix.title()} {i}") for i in range(count)
    )
    Representation.objects.bulk_create(
        Representation(member=m, gemeente=g, geldig_van=date(2017, 1, 1))
        for m, g in zip(members, gemeenten, strict=True)
    )
    Inwonertal.objects.bulk_create(Inwonertal(gemeente=g, jaar=2024, aantal=1000 + i) for i, g in enumerate(gemeenten))
    community = CommunityFactory(trekker=members[0])
    Participation.objects.bulk_create(
        Participation(community=community, member=m, status=Participation.Status.DEELNEMER, datum=date(2024, 2, 1))
        for m in members
    )
    return community


def _decided_with_history(community, directie) -> BusinessCase:
    """A decided case with a late joiner and a stored yearly allocation."""
    business_case = services.businesscase_submit(concept_case(community), by=SYSTEM)
    business_case = services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)
    joiner = member_with_inwoners(f"laat-{community.pk}", 40_000)
    community_services.participation_add(community, joiner, by=SYSTEM, datum=date(2024, 6, 1))
    services.yearly_allocation_store(business_case, 2024, by=SYSTEM)
    return business_case


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("viewer", ["eindhoven_user", "manager"])
def test_the_detail_page_costs_the_same_for_3_or_300_participants(
    viewer, request, directie, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(viewer))
    small = _decided_with_history(_community_with_participants(3, prefix="klein"), directie)
    large = _decided_with_history(_community_with_participants(300, prefix="groot"), directie)
    assert Share.objects.filter(business_case=large).count() == 301
    assert Settlement.objects.get(business_case=large).credits.count() == 300
    small_queries = _queries(client, detail(small))
    with django_assert_max_num_queries(25):
        response = client.get(detail(large))
    assert response.status_code == 200
    assert _queries(client, detail(large)) == small_queries
