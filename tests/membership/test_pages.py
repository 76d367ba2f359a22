"""SQL per page stays constant as the register grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from membership import admission
from tests.conftest import login
from tests.factories import InwonertalFactory, MemberFactory, RepresentationFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def _grow(n, status=admission.ACTIEF):
    for _ in range(n):
        representation = RepresentationFactory(member=MemberFactory(status=status))
        for jaar in (2025, 2026):
            InwonertalFactory(gemeente=representation.gemeente, jaar=jaar)


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("eindhoven_user", "/leden/", admission.ACTIEF),
        ("manager", "/leden/", admission.AANVRAAG),
        ("rvc", "/toelating/", admission.AANVRAAG),
        ("manager", "/toelating/", admission.RVC_GOEDGEKEURD),
    ],
)
def test_list_pages_cost_the_same_for_3_or_40_members(user, url, status, request):
    client = login(request.getfixturevalue(user))
    _grow(3, status)
    small = _queries(client, url)
    _grow(37, status)
    assert _queries(client, url) == small


@pytest.mark.parametrize("url", ["/leden/{pk}/", "/leden/{pk}/organisatie/"])
def test_member_pages_stay_within_budget_however_long_the_history(
    url, eindhoven_user, eindhoven, directie, django_assert_max_num_queries
):
    gemeente = eindhoven.representations.get().gemeente
    for jaar in range(2000, 2027):
        InwonertalFactory(gemeente=gemeente, jaar=jaar)
    client = login(eindhoven_user)
    with django_assert_max_num_queries(15):
        client.get(url.format(pk=eindhoven.pk))
