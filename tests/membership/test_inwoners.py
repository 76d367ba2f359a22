from datetime import date

import pytest
from django.core.exceptions import ValidationError

from beware.common.audit import Actor
from membership import services
from membership.selectors import (
    MissingInwonertal,
    NoRepresentation,
    inwoner_history,
    inwoners_by_member,
    member_inwoners,
)
from tests.factories import GemeenteFactory, InwonertalFactory, MemberFactory, RepresentationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mijngemeentedichtbij():
    """A gemeenschappelijke regeling representing Boxtel and Sint-Michielsgestel."""
    member = MemberFactory(code="mgd", naam="MijnGemeenteDichtbij", soort="gemeenschappelijke_regeling")
    boxtel = GemeenteFactory(code="GM0757", naam="Boxtel")
    gestel = GemeenteFactory(code="GM0845", naam="Sint-Michielsgestel")
    RepresentationFactory(member=member, gemeente=boxtel, geldig_van=date(2017, 1, 12))
    RepresentationFactory(member=member, gemeente=gestel, geldig_van=date(2017, 1, 12))
    for jaar, (b, g) in {2026: (30_950, 29_600), 2027: (31_012, 29_733)}.items():
        InwonertalFactory(gemeente=boxtel, jaar=jaar, aantal=b)
        InwonertalFactory(gemeente=gestel, jaar=jaar, aantal=g)
    return member


def test_a_gr_has_the_inwoners_of_all_gemeenten_it_represents(mijngemeentedichtbij):
    assert member_inwoners(mijngemeentedichtbij, date(2027, 1, 1)) == 31_012 + 29_733
    assert member_inwoners(mijngemeentedichtbij, date(2026, 7, 1)) == 30_950 + 29_600


def test_a_gemeente_counts_only_while_it_is_represented(mijngemeentedichtbij):
    late = GemeenteFactory(code="GM0796", naam="'s-Hertogenbosch")
    RepresentationFactory(member=mijngemeentedichtbij, gemeente=late, geldig_van=date(2027, 3, 1))
    InwonertalFactory(gemeente=late, jaar=2027, aantal=160_000)
    assert member_inwoners(mijngemeentedichtbij, date(2027, 1, 1)) == 31_012 + 29_733
    assert member_inwoners(mijngemeentedichtbij, date(2027, 3, 1)) == 31_012 + 29_733 + 160_000


def test_a_missing_figure_is_an_error_naming_gemeente_and_year(mijngemeentedichtbij):
    with pytest.raises(MissingInwonertal) as error:
        member_inwoners(mijngemeentedichtbij, date(2028, 1, 1))
    assert str(error.value) == "Geen inwonertal bekend voor Boxtel (GM0757) in 2028."
    assert error.value.gemeente.code == "GM0757"
    assert error.value.jaar == 2028


def test_one_missing_gemeente_is_never_a_silent_zero(mijngemeentedichtbij):
    InwonertalFactory(gemeente=mijngemeentedichtbij.representations.get(gemeente__code="GM0757").gemeente, jaar=2028)
    result = inwoners_by_member([mijngemeentedichtbij.pk], date(2028, 1, 1))[mijngemeentedichtbij.pk]
    assert isinstance(result, MissingInwonertal)
    assert "Sint-Michielsgestel (GM0845) in 2028" in str(result)


def test_many_members_cost_two_queries(django_assert_num_queries, mijngemeentedichtbij):
    ids = [mijngemeentedichtbij.pk]
    for _ in range(20):
        member = RepresentationFactory().member
        InwonertalFactory(gemeente=member.representations.get().gemeente, jaar=2027)
        ids.append(member.pk)
    with django_assert_num_queries(2):
        result = inwoners_by_member(ids, date(2027, 1, 1))
    assert result[mijngemeentedichtbij.pk] == 60_745
    assert all(result[i] == 50_000 for i in ids[1:])


def test_history_per_year_flags_missing_and_demo_figures(mijngemeentedichtbij):
    boxtel = mijngemeentedichtbij.representations.get(gemeente__code="GM0757").gemeente
    InwonertalFactory(gemeente=boxtel, jaar=2025, aantal=30_000, is_demo=True)
    history = inwoner_history(mijngemeentedichtbij)
    assert [(h.jaar, h.inwoners, h.ontbreekt, h.is_demo) for h in history] == [
        (2025, None, ["Sint-Michielsgestel"], True),
        (2026, 60_550, [], False),
        (2027, 60_745, [], False),
    ]


def test_a_gemeente_is_represented_by_one_member_at_a_time(mijngemeentedichtbij):
    other = MemberFactory(naam="Gemeente Boxtel")
    boxtel = mijngemeentedichtbij.representations.get(gemeente__code="GM0757").gemeente
    with pytest.raises(ValidationError, match="al vertegenwoordigd door MijnGemeenteDichtbij"):
        services.representation_add(other, boxtel, by=Actor.system(), geldig_van=date(2027, 1, 1))
    assert other.representations.count() == 0


def test_a_representation_after_the_previous_one_ended_is_allowed(mijngemeentedichtbij):
    representation = mijngemeentedichtbij.representations.get(gemeente__code="GM0757")
    representation.geldig_tot = date(2027, 1, 1)
    representation.save()
    other = MemberFactory(naam="Gemeente Boxtel")
    services.representation_add(other, representation.gemeente, by=Actor.system(), geldig_van=date(2027, 1, 1))
    assert member_inwoners(other, date(2027, 1, 1)) == 31_012
    assert member_inwoners(mijngemeentedichtbij, date(2027, 1, 1)) == 29_733


def test_staff_end_a_representation_and_the_history_stays(mijngemeentedichtbij, manager):
    from tests.conftest import login

    representation = mijngemeentedichtbij.representations.get(gemeente__code="GM0757")
    response = login(manager).post(
        f"/leden/{mijngemeentedichtbij.pk}/gemeenten/{representation.pk}/beeindigen/", {"geldig_tot": "2027-01-01"}
    )
    assert response.status_code == 302
    representation.refresh_from_db()
    assert representation.geldig_tot == date(2027, 1, 1)
    assert member_inwoners(mijngemeentedichtbij, date(2026, 1, 1)) == 60_550
    assert member_inwoners(mijngemeentedichtbij, date(2027, 1, 1)) == 29_733


def test_a_lid_beheerder_cannot_change_what_its_member_represents(mijngemeentedichtbij):
    from tests.conftest import login
    from tests.factories import member_user

    beheerder = member_user(mijngemeentedichtbij, "lid_beheerder")
    representation = mijngemeentedichtbij.representations.get(gemeente__code="GM0757")
    response = login(beheerder).post(
        f"/leden/{mijngemeentedichtbij.pk}/gemeenten/{representation.pk}/beeindigen/", {"geldig_tot": "2027-01-01"}
    )
    assert response.status_code == 403
    response = login(beheerder).post(
        f"/leden/{mijngemeentedichtbij.pk}/gemeenten/",
        {"gemeente": GemeenteFactory(code="GM0001").pk, "geldig_van": "2027-01-01"},
    )
    assert response.status_code == 403
    representation.refresh_from_db()
    assert representation.geldig_tot is None
    assert mijngemeentedichtbij.representations.count() == 2


def test_ending_before_the_start_is_refused_with_a_message(mijngemeentedichtbij, manager):
    from tests.conftest import login

    representation = mijngemeentedichtbij.representations.get(gemeente__code="GM0757")
    response = login(manager).post(
        f"/leden/{mijngemeentedichtbij.pk}/gemeenten/{representation.pk}/beeindigen/",
        {"geldig_tot": "2016-01-01"},
        follow=True,
    )
    assert "De einddatum moet na de begindatum liggen." in response.content.decode()
    representation.refresh_from_db()
    assert representation.geldig_tot is None


def test_a_member_without_gemeenten_has_unknown_inwoners_not_zero():
    member = MemberFactory(naam="Provincie Zonder Gemeenten", soort="overige_overheid")
    with pytest.raises(NoRepresentation, match="vertegenwoordigt op 01-01-2027 geen gemeente"):
        member_inwoners(member, date(2027, 1, 1))


def test_a_mid_year_joiner_counts_its_gemeenten_with_the_figures_of_1_january(mijngemeentedichtbij):
    for representation in mijngemeentedichtbij.representations.all():
        representation.geldig_van = date(2027, 4, 1)
        representation.save()
    with pytest.raises(NoRepresentation):  # nothing represented on 1 January itself
        member_inwoners(mijngemeentedichtbij, date(2027, 1, 1))
    assert member_inwoners(mijngemeentedichtbij, date(2027, 1, 1), represented_on=date(2027, 4, 1)) == 60_745


def test_leaving_frees_the_gemeenten_after_the_einddatum(mijngemeentedichtbij, manager):
    services.member_take_step(mijngemeentedichtbij, "opzeggen", by=Actor(user=manager), datum=date(2025, 12, 31))
    services.member_take_step(mijngemeentedichtbij, "uittreden", by=Actor(user=manager))
    assert set(mijngemeentedichtbij.representations.values_list("geldig_tot", flat=True)) == {date(2026, 1, 1)}
    assert member_inwoners(mijngemeentedichtbij, date(2026, 1, 1), represented_on=date(2025, 12, 31)) == 60_550
    with pytest.raises(NoRepresentation):
        member_inwoners(mijngemeentedichtbij, date(2026, 1, 1))
    newcomer = MemberFactory(naam="Gemeente Boxtel")
    boxtel = mijngemeentedichtbij.representations.get(gemeente__code="GM0757").gemeente
    services.representation_add(newcomer, boxtel, by=Actor.system(), geldig_van=date(2026, 1, 1))
    assert member_inwoners(newcomer, date(2026, 1, 1)) == 30_950


def test_a_refused_applicant_does_not_block_its_gemeente(manager, rvc):
    helmond = GemeenteFactory(code="GM0794", naam="Helmond")
    first = services.member_apply(
        by=Actor(user=manager),
        code="helmond",
        naam="Gemeente Helmond",
        soort="gemeente",
        gemeenten=[helmond],
        vertegenwoordigt_vanaf=date(2027, 1, 1),
    )
    services.member_take_step(first, "rvc_afwijzen", by=Actor(user=rvc))
    second = services.member_apply(
        by=Actor(user=manager),
        code="helmond-2",
        naam="Gemeente Helmond",
        soort="gemeente",
        gemeenten=[helmond],
        vertegenwoordigt_vanaf=date(2028, 1, 1),
    )
    assert second.representations.get().gemeente == helmond


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_never_give_a_gemeente_two_members():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    gemeente = GemeenteFactory(code="GM0794", naam="Helmond")
    members = [MemberFactory() for _ in range(6)]
    barrier = threading.Barrier(len(members))
    outcomes = []

    def add(member):
        try:
            barrier.wait()
            services.representation_add(member, gemeente, by=Actor.system(), geldig_van=date(2027, 1, 1))
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 5
    assert gemeente.representations.count() == 1
