import os
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from beware.common import audit
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from membership.models import MemberRole
from tests.conftest import login
from tests.factories import MemberFactory, member_user


@pytest.mark.django_db
def test_the_audit_log_records_who_for_which_member_and_when(eindhoven_user, eindhoven):
    event = audit.record("test.iets", actor=Actor(user=eindhoven_user, member=eindhoven), obj=eindhoven, data={"a": 1})
    assert (event.actor_label, event.member_label, event.object_id) == (
        eindhoven_user.email,
        "Gemeente Eindhoven",
        str(eindhoven.pk),
    )
    assert event.timestamp is not None


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(eindhoven):
    event = audit.record("test.iets", actor=Actor.system(), obj=eindhoven)
    event.action = "iets anders"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db
def test_the_hash_chain_exposes_a_row_changed_behind_the_applications_back(eindhoven):
    events = [audit.record(f"test.{i}", actor=Actor.system(), obj=eindhoven) for i in range(3)]
    assert audit.verify_chain() is None
    with connection.cursor() as cursor:
        cursor.execute("UPDATE common_auditevent SET action = %s WHERE id = %s", ["vervalst", events[1].pk])
    assert audit.verify_chain() == events[1].pk


@pytest.mark.django_db
def test_a_user_acts_for_the_member_chosen_in_the_session(eindhoven, woerden):
    user = member_user(eindhoven, MemberRole.Role.LID_BEHEERDER)
    from membership.services import member_role_grant

    member_role_grant(user, woerden, MemberRole.Role.LID_BEHEERDER, by=Actor.system())
    client = login(user)
    assert "U handelt namens" in client.get("/").content.decode()
    client.post("/wissel-lid/", {"lid": woerden.pk, "next": "/"})
    assert client.get("/mijn-organisatie/")["Location"] == f"/leden/{woerden.pk}/organisatie/"
    client.post(f"/leden/{woerden.pk}/organisatie/factuurkenmerk/", {"jaar": 2027, "kenmerk": "W-1"})
    event = AuditEvent.objects.get(action="lid.factuurkenmerk")
    assert event.member == woerden


@pytest.mark.django_db
def test_a_user_cannot_switch_to_a_member_it_has_no_role_in(eindhoven_user, woerden, eindhoven):
    client = login(eindhoven_user)
    response = client.post("/wissel-lid/", {"lid": woerden.pk, "next": "https://elders.example/"})
    assert response["Location"] == "/"  # no open redirect
    assert client.get("/mijn-organisatie/")["Location"] == f"/leden/{eindhoven.pk}/organisatie/"


@pytest.mark.django_db
def test_healthz_checks_the_database():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    if settings.CELERY_BROKER_URL:  # CI: the machine's Redis
        assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker_as_unhealthy(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("fout")


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(eindhoven_user):
    response = login(eindhoven_user).get("/leden/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "beware.settings.production",
        "SECRET_KEY": "een-lang-geheim-" + "x" * 50,
        "DATABASE_URL": "sqlite:////tmp/beware-check-deploy.sqlite3",
        "ALLOWED_HOSTS": "portaal.beware.example",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "EMAIL_URL": "smtp+tls://portaal:geheim@smtp.beware.example:587",
        "PORTAL_BASE_URL": "https://portaal.beware.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="beware.settings.production", DATABASE_URL="sqlite:////tmp/x.sqlite3")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_audit_writes_keep_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers anyway")
    member = MemberFactory()
    barrier = threading.Barrier(8)
    errors = []

    def write(i):
        try:
            barrier.wait()
            for j in range(5):
                audit.record(f"test.{i}.{j}", actor=Actor.system(), obj=member)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 40
    assert audit.verify_chain() is None


@pytest.mark.django_db
def test_the_verify_audit_command_reports_a_broken_chain(eindhoven, capsys):
    from django.core.management import CommandError, call_command

    first = audit.record("test.een", actor=Actor.system(), obj=eindhoven)
    audit.record("test.twee", actor=Actor.system(), obj=eindhoven)
    call_command("verify_audit")
    assert "intact (2 regels)" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM common_auditevent WHERE id = %s", [first.pk])
    with pytest.raises(CommandError, match="niet intact"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_the_portal_is_available_in_english(eindhoven_user):
    client = login(eindhoven_user)
    client.cookies["django_language"] = "en"
    page = client.get("/leden/").content.decode()
    assert '<html lang="en"' in page
    assert "Member register" in page
    assert "Ledenregister" not in page
    client.cookies["django_language"] = "nl"
    assert "Ledenregister" in client.get("/leden/").content.decode()


@pytest.mark.django_db
def test_giving_a_staff_role_in_the_admin_is_audited(db):
    from django.contrib.auth.models import Group

    from beware.accounts.models import User
    from tests.conftest import with_totp

    admin_user = with_totp(User.objects.create_superuser(email="beheer@test.example", password="x" * 12))
    target = User.objects.create_user(email="nieuw@test.example")
    directie = Group.objects.get(name="directie")
    response = login(admin_user).post(
        f"/beheer/accounts/user/{target.pk}/change/",
        {
            "email": target.email,
            "first_name": "Nieuwe",
            "last_name": "Directeur",
            "is_active": "on",
            "groups": [directie.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="gebruiker.gewijzigd")
    assert (event.actor, event.data["groepen"]) == (admin_user, ["directie"])


def test_amounts_are_shown_as_dutch_euros():
    from django.utils import translation

    from beware.common.templatetags.money import euro

    with translation.override("nl"):
        assert euro(Decimal("18181.82")) == "€ 18.181,82"
        assert euro(Decimal("-1948.05")) == "− € 1.948,05"
        assert euro(Decimal("0.00")) == "€ 0,00"
    with translation.override("en"):
        assert euro(Decimal("18181.82")) == "€ 18,181.82"


@pytest.mark.django_db
def test_the_long_select_writes_its_options_escaped_with_the_choice_selected():
    """LongSelect renders its options in one loop (for speed with 300 members): same markup, still escaped."""
    from invoicing.forms import InvoiceFilterForm
    from tests.factories import MemberFactory

    member = MemberFactory(naam="Gemeente <A>")
    html = str(InvoiceFilterForm({"lid": member.pk})["lid"])
    assert html.startswith('<select name="lid" id="id_lid">')
    assert '<option value="">Alle leden</option>' in html
    assert f'<option value="{member.pk}" selected>Gemeente &lt;A&gt;</option>' in html
