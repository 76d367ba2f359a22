"""Redirect targets taken from the request never leave the portal (open redirects)."""

import pytest

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"]


def _external(location: str) -> bool:
    return "evil.example" in location


@pytest.mark.parametrize("target", EVIL)
def test_switching_member_does_not_redirect_elsewhere(demo, target):
    response = demo.client(demo.a_user).post("/wissel-lid/", {"lid": demo.a.pk, "next": target})
    assert response.status_code == 302
    assert not _external(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_the_login_does_not_redirect_elsewhere(demo, target):
    from tests.security.demo import Demo

    client = Demo.client()
    response = client.post(
        f"/accounts/login/?next={target}", {"login": demo.a_user.email, "password": "Test-wachtwoord-2026"}
    )
    assert response.status_code == 302
    assert not _external(response["Location"]), response["Location"]
