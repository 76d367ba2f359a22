"""The security tests run against the demo data (`seed_demo`, built through the
real services), so every URL argument can be filled with an object that exists
and every member has invoices, roles, participations and proxies.

The demo is seeded once per module inside an outer transaction that is rolled
back at the end; each test runs in a savepoint within it (pytest-django's `db`).
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker, demo_media):
    import os

    from django.test import override_settings

    previous = os.environ.get("BEWARE_ALLOW_DEMO")
    os.environ["BEWARE_ALLOW_DEMO"] = "1"
    try:
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media), transaction.atomic():
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())
            yield
            transaction.set_rollback(True)
    finally:
        if previous is None:
            os.environ.pop("BEWARE_ALLOW_DEMO", None)
        else:
            os.environ["BEWARE_ALLOW_DEMO"] = previous


@pytest.fixture
def demo(demo_db, db, demo_media, settings):
    """The seeded demo, for one test (its changes roll back with the test)."""
    from tests.security.demo import Demo

    settings.MEDIA_ROOT = demo_media  # where the demo's invoice documents were stored

    return Demo()
