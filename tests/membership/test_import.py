import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from beware.common.audit import Actor
from beware.common.models import AuditEvent
from membership import services
from membership.models import Inwonertal
from tests.conftest import login
from tests.factories import GemeenteFactory, InwonertalFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = "gemeentecode;jaar;inwoners\nGM0772;2027;239.123\nGM0757;2027;31.012\n"
ONE_BAD_ROW = "gemeentecode;jaar;inwoners\nGM0772;2027;239.123\nGM9999;2027;1.000\nGM0757;2027;31.012\n"


@pytest.fixture
def gemeenten():
    return [GemeenteFactory(code="GM0772", naam="Eindhoven"), GemeenteFactory(code="GM0757", naam="Boxtel")]


def test_a_good_file_is_imported_and_audited(gemeenten, directie):
    report = services.inwonertallen_import(GOOD.encode(), by=Actor(user=directie))
    assert (report.created, report.updated) == (2, 0)
    assert Inwonertal.objects.get(gemeente__code="GM0772", jaar=2027).aantal == 239_123
    event = AuditEvent.objects.get(action="inwonertallen.geimporteerd")
    assert event.actor == directie
    assert event.data["nieuw"] == 2


def test_one_bad_row_imports_nothing_and_is_named(gemeenten, directie):
    with pytest.raises(services.InwonerImportError) as error:
        services.inwonertallen_import(ONE_BAD_ROW.encode(), by=Actor(user=directie))
    assert error.value.errors == ["Regel 3: onbekende gemeentecode 'GM9999'."]
    assert Inwonertal.objects.count() == 0


def test_format_and_lookup_errors_are_reported_together_in_row_order(gemeenten, directie):
    text = "gemeentecode;jaar;inwoners\nGM9999;2027;5\nGM0772;2027;-1\nGM0757;2027;abc\n"
    with pytest.raises(services.InwonerImportError) as error:
        services.inwonertallen_import(text.encode(), by=Actor(user=directie))
    assert [e.split(":")[0] for e in error.value.errors] == ["Regel 2", "Regel 3", "Regel 4"]
    assert Inwonertal.objects.count() == 0


def test_a_later_definitive_figure_replaces_the_provisional_one(gemeenten, directie):
    InwonertalFactory(gemeente=gemeenten[0], jaar=2027, aantal=238_000, status="voorlopig")
    text = "gemeentecode;jaar;inwoners;status\nGM0772;2027;239.123;definitief\n"
    report = services.inwonertallen_import(text.encode(), by=Actor(user=directie))
    assert (report.created, report.updated) == (0, 1)
    figure = Inwonertal.objects.get(gemeente=gemeenten[0], jaar=2027)
    assert (figure.aantal, figure.status) == (239_123, "definitief")


def test_codes_without_prefix_and_names_are_matched(gemeenten, directie):
    text = "code;jaar;inwoners\n772;2027;1\nBoxtel;2027;2\n"
    services.inwonertallen_import(text.encode(), by=Actor(user=directie))
    assert sorted(Inwonertal.objects.values_list("gemeente__code", "aantal")) == [("GM0757", 2), ("GM0772", 1)]


def test_only_directie_and_manager_may_import(gemeenten, eindhoven_user):
    with pytest.raises(PermissionDenied):
        services.inwonertallen_import(GOOD.encode(), by=Actor(user=eindhoven_user))
    assert login(eindhoven_user).get("/inwonertallen/importeren/").status_code == 403


def test_the_command_imports_all_or_nothing(gemeenten, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(ONE_BAD_ROW)
    with pytest.raises(CommandError, match="er is niets ingelezen"):
        call_command("import_inwoners", str(bad))
    assert "Regel 3: onbekende gemeentecode 'GM9999'." in capsys.readouterr().err
    assert Inwonertal.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    call_command("import_inwoners", str(good))
    assert Inwonertal.objects.count() == 2


def test_the_upload_page_shows_every_bad_row_and_saves_nothing(gemeenten, manager):
    client = login(manager)
    upload = SimpleUploadedFile("inwoners.csv", ONE_BAD_ROW.encode(), content_type="text/csv")
    response = client.post("/inwonertallen/importeren/", {"bestand": upload, "bron": "CBS"})
    assert response.status_code == 400
    assert "Regel 3: onbekende gemeentecode &#x27;GM9999&#x27;." in response.content.decode()
    assert Inwonertal.objects.count() == 0
    upload = SimpleUploadedFile("inwoners.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/inwonertallen/importeren/", {"bestand": upload, "bron": "CBS"}, follow=True)
    assert "Ingelezen: 2 nieuwe en 0 bijgewerkte inwonertallen." in response.content.decode()


def test_a_wrong_file_type_is_refused_by_field(manager):
    upload = SimpleUploadedFile("inwoners.xlsx", b"PK\x03\x04", content_type="application/octet-stream")
    response = login(manager).post("/inwonertallen/importeren/", {"bestand": upload, "bron": "CBS"})
    assert "Kies een CSV-bestand (.csv)." in response.content.decode()


def test_an_unrelated_user_cannot_import(gemeenten):
    assert login(UserFactory()).get("/inwonertallen/importeren/").status_code == 403


def test_the_audit_names_every_figure_with_old_and_new_value(gemeenten, directie):
    InwonertalFactory(gemeente=gemeenten[0], jaar=2027, aantal=238_000)
    services.inwonertallen_import(GOOD.encode(), by=Actor(user=directie))
    event = AuditEvent.objects.get(action="inwonertallen.geimporteerd")
    assert sorted(event.data["wijzigingen"]) == [["GM0757", 2027, None, 31_012], ["GM0772", 2027, 238_000, 239_123]]
