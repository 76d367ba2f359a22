"""Business cases through the services: the go-decision stores the allocation,
late joins store settlements, and bad input stores nothing."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from beware.common import audit
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from businesscases import selectors, services
from businesscases.models import BusinessCase, FixedPercentage, Settlement, SettlementCredit, Share
from communities import services as community_services
from communities.models import Participation
from membership import admission
from membership.models import Inwonertal, MemberRole
from tests.factories import CommunityFactory, member_user, member_with_inwoners

D = Decimal
SYSTEM = Actor.system()
GO = date(2024, 3, 1)


@pytest.fixture
def members(db):
    """DOMAIN.md §3.4's worked example: A, B, C, and late joiners D and E."""
    sizes = {"a": 200_000, "b": 50_000, "c": 30_000, "d": 50_000, "e": 70_000}
    return {code: member_with_inwoners(code, size) for code, size in sizes.items()}


@pytest.fixture
def community(members):
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=members["a"])
    for code in "abc":
        community_services.participation_add(community, members[code], by=SYSTEM, datum=date(2024, 2, 1))
    return community


ONE_OFF = D("120000.00")


def proposed_case(community, *, one_off=ONE_OFF, **fields) -> BusinessCase:
    business_case = services.businesscase_create(
        community, by=SYSTEM, titel="Zaakafhandeling", peildatum=date(2024, 1, 1), **fields
    )
    services.cost_line_add(business_case, by=SYSTEM, soort="ontwikkeling", omschrijving="Bouw", bedrag=one_off)
    services.cost_line_add(business_case, by=SYSTEM, soort="hosting", omschrijving="Hosting", bedrag=D("12000.00"))
    return services.businesscase_submit(business_case, by=SYSTEM)


@pytest.fixture
def decided(community, directie):
    business_case = proposed_case(community)
    return services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)


def shares(business_case) -> dict[str, tuple]:
    return {s.member.code: (s.gewicht, s.bedrag) for s in Share.objects.filter(business_case=business_case)}


class TestGoDecision:
    def test_stores_participants_weights_and_amounts(self, decided, directie):
        assert decided.status == BusinessCase.Status.BESLOTEN
        assert decided.peildatum == date(2024, 1, 1)
        assert shares(decided) == {
            "a": (D("200000.0000"), D("85714.29")),
            "b": (D("50000.0000"), D("21428.57")),
            "c": (D("30000.0000"), D("12857.14")),
        }
        event = AuditEvent.objects.get(action="businesscase.go")
        assert event.actor == directie
        assert event.data["verdeling"] == [
            ["a", 200000, "85714.29"],
            ["b", 50000, "21428.57"],
            ["c", 30000, "12857.14"],
        ]

    def test_a_later_inwonertal_does_not_change_the_stored_allocation(self, decided, members):
        before = shares(decided)
        Inwonertal.objects.filter(gemeente__representations__member=members["a"], jaar=2024).update(aantal=10)
        assert shares(decided) == before
        view = selectors.allocation_view(decided, today=date(2024, 6, 1))
        assert view.stored
        assert [(r.member.code, r.bedrag) for r in view.rows] == [
            ("a", D("85714.29")),
            ("b", D("21428.57")),
            ("c", D("12857.14")),
        ]

    def test_stored_shares_cannot_be_changed_or_deleted(self, decided):
        share = Share.objects.filter(business_case=decided).first()
        share.bedrag = D("1.00")
        with pytest.raises(PermissionError):
            share.save()
        with pytest.raises(PermissionError):
            share.delete()

    def test_no_go_stores_nothing(self, community, directie):
        business_case = services.businesscase_decide(
            proposed_case(community), by=Actor(user=directie), go=False, datum=GO, toelichting="Te duur."
        )
        assert business_case.status == BusinessCase.Status.AFGEWEZEN
        assert not Share.objects.exists()

    def test_only_the_directie_decides(self, community, manager, members):
        business_case = proposed_case(community)
        representative = member_user(members["a"], MemberRole.Role.LID_BEHEERDER)
        for user in (manager, representative):
            with pytest.raises(PermissionDenied):
                services.businesscase_decide(business_case, by=Actor(user=user, member=members["a"]), go=True, datum=GO)
        business_case.refresh_from_db()
        assert business_case.status == BusinessCase.Status.TER_BESLUITVORMING

    def test_edit_only_while_concept(self, decided):
        with pytest.raises(ValidationError, match="Alleen een concept"):
            services.businesscase_update(decided, by=SYSTEM, titel="Anders")
        with pytest.raises(ValidationError, match="Alleen een concept"):
            services.cost_line_add(decided, by=SYSTEM, soort="aanschaf", omschrijving="Extra", bedrag=D("1.00"))

    def test_a_go_live_before_the_decision_is_refused(self, community, directie):
        business_case = proposed_case(community)
        with pytest.raises(ValidationError, match="go-live ligt vóór de besluitdatum"):
            services.businesscase_decide(
                business_case, by=Actor(user=directie), go=True, datum=GO, golive=date(2024, 2, 1)
            )
        assert not Share.objects.exists()

    def test_a_decision_without_participants_is_refused(self, members, directie):
        empty = CommunityFactory(trekker=members["a"])
        business_case = proposed_case(empty)
        with pytest.raises(ValidationError, match="ten minste één deelnemer"):
            services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)
        business_case.refresh_from_db()
        assert business_case.status == BusinessCase.Status.TER_BESLUITVORMING
        assert not Share.objects.exists()

    def test_a_missing_inwonertal_on_the_peildatum_is_refused_and_named(self, community, members, directie):
        Inwonertal.objects.filter(gemeente__representations__member=members["b"]).delete()
        business_case = proposed_case(community)
        with pytest.raises(ValidationError) as refused:
            services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)
        assert "Geen inwonertal bekend voor B (" in str(refused.value)
        assert "in 2024" in str(refused.value)
        business_case.refresh_from_db()
        assert business_case.status == BusinessCase.Status.TER_BESLUITVORMING
        assert not Share.objects.exists()
        assert not AuditEvent.objects.filter(action="businesscase.go").exists()


class TestFixedKey:
    def test_percentages_belong_to_a_fixed_key_only(self, community, members):
        business_case = services.businesscase_create(community, by=SYSTEM, titel="Inwoners")
        with pytest.raises(ValidationError, match="alleen bij de verdeelsleutel 'vast'"):
            services.fixed_percentages_set(business_case, {members["a"]: D("100")}, by=SYSTEM)
        assert not FixedPercentage.objects.exists()

    def test_percentages_must_sum_to_exactly_100(self, community, members):
        business_case = services.businesscase_create(community, by=SYSTEM, titel="Vast", verdeelsleutel="vast")
        with pytest.raises(ValidationError, match="99,99%; dat moet precies 100% zijn"):
            services.fixed_percentages_set(
                business_case, {members["a"]: D("50"), members["b"]: D("25"), members["c"]: D("24.99")}, by=SYSTEM
            )
        assert not FixedPercentage.objects.exists()

    def test_founding_costs_by_50_25_25(self, community, members, directie):
        business_case = services.businesscase_create(community, by=SYSTEM, titel="Oprichting", verdeelsleutel="vast")
        services.cost_line_add(
            business_case, by=SYSTEM, soort="implementatie", omschrijving="Opzet", bedrag=D("92500.00")
        )
        services.fixed_percentages_set(
            business_case, {members["a"]: D("50"), members["b"]: D("25"), members["c"]: D("25")}, by=SYSTEM
        )
        services.businesscase_submit(business_case, by=SYSTEM)
        services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)
        assert {code: amount for code, (_, amount) in shares(business_case).items()} == {
            "a": D("46250.00"),
            "b": D("23125.00"),
            "c": D("23125.00"),
        }


class TestLateJoin:
    def test_stores_a_settlement_whose_credits_sum_to_its_charge(self, decided, community, members):
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        settlement = Settlement.objects.get(business_case=decided, member=members["d"])
        assert (settlement.waarde, settlement.gewicht, settlement.bedrag) == (
            D("120000.00"),
            D("50000.0000"),
            D("18181.82"),
        )
        credits = {c.member.code: c.bedrag for c in settlement.credits.all()}
        assert credits == {"a": D("12987.02"), "b": D("3246.75"), "c": D("1948.05")}
        assert sum(credits.values()) == settlement.bedrag
        assert shares(decided)["d"] == (D("50000.0000"), D("18181.82"))

    def test_a_second_late_joiner_credits_the_first_one_too(self, decided, community, members):
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        community_services.participation_add(community, members["e"], by=SYSTEM, datum=date(2024, 7, 1))
        settlement = Settlement.objects.get(member=members["e"])
        credits = {c.member.code: c.bedrag for c in settlement.credits.all()}
        assert settlement.bedrag == D("21000.00")
        assert credits == {"a": D("12727.27"), "b": D("3181.82"), "c": D("1909.09"), "d": D("3181.82")}

    def test_the_quote_before_joining_equals_what_is_stored(self, decided, community, members):
        (quote,) = selectors.join_quote(community, members["d"], date(2024, 6, 1))
        assert quote.plan.bedrag == D("18181.82")
        assert [(c.member.code, c.bedrag) for c in quote.plan.credits] == [
            ("a", D("12987.02")),
            ("b", D("3246.75")),
            ("c", D("1948.05")),
        ]
        assert not Settlement.objects.exists()  # a quote stores nothing

    def test_with_afschrijving_the_book_value_is_settled(self, community, members, directie):
        business_case = proposed_case(community, afschrijvingsjaren=5)
        services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO, golive=date(2024, 4, 1))
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2026, 10, 1))
        settlement = Settlement.objects.get(member=members["d"])
        assert (settlement.maanden, settlement.waarde, settlement.bedrag) == (30, D("60000.00"), D("9090.91"))
        assert sum(c.bedrag for c in settlement.credits.all()) == D("9090.91")

    def test_a_member_that_is_not_active_is_refused(self, decided, community, members):
        members["d"].status = admission.OPGEZEGD
        members["d"].save()
        with pytest.raises(ValidationError, match="Gemeente D is geen actief lid"):
            community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        assert not Participation.objects.filter(member=members["d"]).exists()
        assert not Settlement.objects.exists()

    def test_a_missing_joiner_inwonertal_stores_nothing(self, decided, community, members):
        Inwonertal.objects.filter(gemeente__representations__member=members["d"]).delete()
        with pytest.raises(ValidationError, match="Geen inwonertal bekend voor D"):
            community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        assert not Participation.objects.filter(member=members["d"]).exists()
        assert not Settlement.objects.exists()
        assert not SettlementCredit.objects.exists()

    def test_leaving_and_coming_back_pays_once(self, decided, community, members):
        participation = community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        community_services.participation_end(participation, by=SYSTEM, einddatum=date(2024, 9, 30))
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2025, 2, 1))
        assert Settlement.objects.filter(member=members["d"]).count() == 1
        assert Participation.objects.filter(member=members["d"]).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_late_joins_of_one_member_give_one_participation(members, directie):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers anyway")
    community = CommunityFactory(trekker=members["a"])
    for code in "abc":
        community_services.participation_add(community, members[code], by=SYSTEM, datum=date(2024, 2, 1))
    services.businesscase_decide(proposed_case(community), by=Actor(user=directie), go=True, datum=GO)
    barrier = threading.Barrier(2)
    outcomes = []

    def join():
        try:
            barrier.wait()
            community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
            outcomes.append("toegevoegd")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Gemeente D is al deelnemer bij " + community.naam + ".", "toegevoegd"]
    assert Participation.objects.filter(member=members["d"]).count() == 1
    assert Settlement.objects.filter(member=members["d"]).count() == 1
    assert audit.verify_chain() is None


class TestYearlyAllocation:
    def test_weights_are_inwoners_times_months_over_twelve(self, decided, community, members):
        for code, figure in {"a": 200_000, "b": 50_000, "c": 30_000, "d": 50_000}.items():
            gemeente = members[code].representations.get().gemeente
            Inwonertal.objects.create(gemeente=gemeente, jaar=2025, aantal=figure)
        d = community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        community_services.participation_end(d, by=SYSTEM, einddatum=date(2025, 3, 31))  # pays Jan–Mar 2025
        yearly = services.yearly_allocation_store(decided, 2025, by=SYSTEM)
        lines = {line.member.code: (line.maanden, line.gewicht, line.bedrag) for line in yearly.lines.all()}
        # Weights 200.000, 50.000, 30.000 and 50.000 × 3/12 = 12.500 (W = 292.500) over 12.000,00.
        assert lines == {
            "a": (12, D("200000.0000"), D("8205.13")),
            "b": (12, D("50000.0000"), D("2051.28")),
            "c": (12, D("30000.0000"), D("1230.77")),
            "d": (3, D("12500.0000"), D("512.82")),
        }
        assert yearly.totaal == D("12000.00")
        with pytest.raises(ValidationError, match="al verdeeld"):
            services.yearly_allocation_store(decided, 2025, by=SYSTEM)


class TestParticipationPermissions:
    def test_a_representative_asks_and_a_coordinator_accepts(self, community, members):
        representative = member_user(members["d"], MemberRole.Role.COMMUNITY_CONTACT)
        coordinator = member_user(members["a"], MemberRole.Role.COMMUNITY_CONTACT)
        community_services.coordinator_add(community, coordinator, by=SYSTEM)
        request = community_services.participation_request(
            community, members["d"], by=Actor(user=representative, member=members["d"])
        )
        with pytest.raises(PermissionDenied):
            community_services.participation_accept(request, by=Actor(user=representative, member=members["d"]))
        accepted = community_services.participation_accept(request, by=Actor(user=coordinator), datum=date(2024, 5, 1))
        assert (accepted.status, accepted.datum, accepted.fase) == ("deelnemer", date(2024, 5, 1), "ontwikkeling")

    def test_a_representative_of_another_member_cannot_ask_for_it(self, community, members):
        other = member_user(members["e"], MemberRole.Role.ALV_VERTEGENWOORDIGER)
        with pytest.raises(PermissionDenied):
            community_services.participation_request(community, members["d"], by=Actor(user=other, member=members["e"]))
        assert not Participation.objects.filter(member=members["d"]).exists()

    def test_a_financial_contact_cannot_ask_to_join(self, community, members):
        finance = member_user(members["d"], MemberRole.Role.FINANCIEEL_CONTACT)
        with pytest.raises(PermissionDenied):
            community_services.participation_request(
                community, members["d"], by=Actor(user=finance, member=members["d"])
            )


class TestReviewedEdges:
    def test_a_tied_cent_goes_by_member_code_not_by_database_id(self, directie):
        # Created in reverse order, so database ids and codes sort opposite ways.
        equal = [member_with_inwoners(code, 1000) for code in ("zz", "mm", "aa")]
        community = CommunityFactory(trekker=equal[0])
        for member in equal:
            community_services.participation_add(community, member, by=SYSTEM, datum=date(2024, 2, 1))
        business_case = services.businesscase_create(community, by=SYSTEM, titel="Gelijk", verdeelsleutel="gelijk")
        services.cost_line_add(business_case, by=SYSTEM, soort="aanschaf", omschrijving="Licentie", bedrag=D("100.00"))
        services.businesscase_submit(business_case, by=SYSTEM)
        services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)
        assert {code: amount for code, (_, amount) in shares(business_case).items()} == {
            "aa": D("33.34"),
            "mm": D("33.33"),
            "zz": D("33.33"),
        }

    def test_a_join_date_in_the_future_is_refused(self, decided, community, members):
        with pytest.raises(ValidationError, match="niet in de toekomst"):
            community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2040, 1, 1))
        assert not Participation.objects.filter(member=members["d"]).exists()

    def test_who_left_gets_no_credit(self, decided, community, members):
        c = Participation.objects.get(community=community, member=members["c"])
        community_services.participation_end(c, by=SYSTEM, einddatum=date(2024, 4, 30))
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        settlement = Settlement.objects.get(member=members["d"])
        # D still pays as if it had been there from the start; A and B share it.
        assert settlement.bedrag == D("18181.82")
        assert {c.member.code: c.bedrag for c in settlement.credits.all()} == {"a": D("14545.46"), "b": D("3636.36")}

    def test_only_a_closed_year_from_go_live_is_split(self, decided):
        with pytest.raises(ValidationError, match="afgesloten jaar"):
            services.yearly_allocation_store(decided, 2023, by=SYSTEM)
        from django.utils import timezone

        with pytest.raises(ValidationError, match="afgesloten jaar"):
            services.yearly_allocation_store(decided, timezone.localdate().year, by=SYSTEM)

    def test_an_open_request_becomes_the_participation_at_go(self, community, members, directie):
        representative = member_user(members["d"], MemberRole.Role.COMMUNITY_CONTACT)
        request = community_services.participation_request(
            community, members["d"], by=Actor(user=representative, member=members["d"])
        )
        business_case = proposed_case(community)
        all_five = [members[code] for code in "abcd"]
        services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO, deelnemers=all_five)
        request.refresh_from_db()
        assert (request.status, request.datum) == ("deelnemer", GO)
        assert AuditEvent.objects.filter(action="community.deelnemer", data__lid="d").exists()
        assert set(shares(business_case)) == {"a", "b", "c", "d"}

    def test_a_fixed_key_late_joiner_needs_a_percentage_above_zero_and_counts_in_later_years(
        self, community, members, directie
    ):
        business_case = services.businesscase_create(community, by=SYSTEM, titel="Vast", verdeelsleutel="vast")
        services.cost_line_add(
            business_case, by=SYSTEM, soort="implementatie", omschrijving="Opzet", bedrag=D("1000.00")
        )
        services.cost_line_add(business_case, by=SYSTEM, soort="beheer", omschrijving="Beheer", bedrag=D("600.00"))
        services.fixed_percentages_set(
            business_case, {members["a"]: D("50"), members["b"]: D("25"), members["c"]: D("25")}, by=SYSTEM
        )
        services.businesscase_submit(business_case, by=SYSTEM)
        services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)
        for refused in (None, D("0"), D("12.345")):
            with pytest.raises(ValidationError, match="percentage"):
                community_services.participation_add(
                    community, members["d"], by=SYSTEM, datum=date(2024, 6, 1), percentage=refused
                )
        community_services.participation_add(
            community, members["d"], by=SYSTEM, datum=date(2024, 6, 1), percentage=D("25")
        )
        assert Settlement.objects.get(member=members["d"]).bedrag == D("200.00")  # 25/125 of 1.000
        yearly = services.yearly_allocation_store(business_case, 2025, by=SYSTEM)
        assert {line.member.code: line.bedrag for line in yearly.lines.all()} == {
            "a": D("240.00"),
            "b": D("120.00"),
            "c": D("120.00"),
            "d": D("120.00"),
        }
