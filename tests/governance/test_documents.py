"""The document register's pages through the test client: who sees which
document (a member never lists, finds, opens or downloads an RvC-only
document; a concept is its audience's only once shared; a community's
documents are its participants'), uploads refused by content and size with
nothing saved, versions, vaststellen with an existing or a new decision,
sharing, read receipts, audit events and the register's query budget."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from communities.models import Participation
from governance import services, uploads
from governance.models import Body, Decision, Document, DocumentVersion, ReadReceipt
from membership import admission
from membership.models import Member, MemberRole
from tests.conftest import login, with_totp
from tests.factories import CommunityFactory, MemberFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db

LIST = "/governance/documenten/"
NEW = "/governance/documenten/nieuw/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# --- tiny real files ------------------------------------------------------------------


def pdf_upload(name="stuk.pdf", content=PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_upload(name="stuk.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=uploads.DOCX)


def odt_upload(name="stuk.odt") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # As ODF asks: the mimetype first, stored uncompressed.
        archive.writestr(zipfile.ZipInfo("mimetype"), uploads.ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=uploads.ODT)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- people and documents, through the real services --------------------------------


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def secretaris(db):
    return with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.ALV_VERTEGENWOORDIGER)


@pytest.fixture
def rvc_body(db):
    return Body.objects.get(soort=Body.Kind.RVC)


def make_document(boss, *, titel="Stuk", soort="overig", doelgroep="leden", shared=True, bestand=None, **kwargs):
    document = services.document_create(
        by=boss, titel=titel, soort=soort, doelgroep=doelgroep, bestand=bestand or pdf_upload(), **kwargs
    )
    if shared:
        document = services.document_share(by=boss, document=document)
    return document


@pytest.fixture
def rvc_document(boss):
    return make_document(
        boss,
        titel="Zelfevaluatie raad van commissarissen",
        soort="zelfevaluatie-rvc",
        doelgroep="rvc",
        bestand=pdf_upload("zelfevaluatie-geheim.pdf"),
    )


def detail(document) -> str:
    return f"{LIST}{document.pk}/"


def download(document, nummer=1) -> str:
    return f"{LIST}{document.pk}/versies/{nummer}/"


def listed(client, query="") -> list[str]:
    response = client.get(LIST + query)
    assert response.status_code == 200
    return [d.titel for d in response.context["page"]]


def new_document_data(bestand, **overrides) -> dict:
    data = {"titel": "Begroting 2027", "soort": "begroting", "doelgroep": "rvc", "jaar": "2027", "bestand": bestand}
    data.update(overrides)
    return data


# --- confidentiality --------------------------------------------------------------------


class TestConfidentiality:
    def test_a_member_user_cannot_list_search_open_or_download_an_rvc_document(self, eindhoven_user, rvc_document):
        client = login(eindhoven_user)
        assert rvc_document.titel not in listed(client)
        assert listed(client, "?zoekterm=zelfevaluatie") == []
        assert listed(client, "?zoekterm=geheim") == []  # the file name is no way in either
        assert listed(client, "?doelgroep=rvc") == []
        assert client.get(detail(rvc_document)).status_code == 404
        assert client.get(download(rvc_document)).status_code == 404
        page = client.get(LIST).content.decode()
        assert rvc_document.titel not in page and "zelfevaluatie-geheim" not in page

    def test_an_invisible_document_is_the_same_404_as_a_missing_one(self, eindhoven_user, rvc_document):
        client = login(eindhoven_user)
        hidden = client.get(detail(rvc_document))
        missing = client.get(f"{LIST}{rvc_document.pk + 1000}/")
        assert hidden.status_code == missing.status_code == 404
        assert client.get(download(rvc_document, 7)).status_code == 404

    def test_the_rvc_can(self, rvc, rvc_document):
        client = login(rvc)
        assert listed(client) == [rvc_document.titel]
        assert listed(client, "?zoekterm=geheim") == [rvc_document.titel]
        assert client.get(detail(rvc_document)).status_code == 200
        response = client.get(download(rvc_document))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES

    def test_the_rvc_does_not_see_directie_documents(self, rvc, boss):
        document = make_document(boss, titel="Evaluatie directeur", soort="evaluatie-directie", doelgroep="directie")
        client = login(rvc)
        assert listed(client) == []
        assert client.get(detail(document)).status_code == 404

    def test_a_concept_not_yet_shared_is_invisible_to_its_audience(self, eindhoven_user, rvc, boss):
        for_members = make_document(boss, titel="Concept jaarverslag", doelgroep="leden", shared=False)
        for_rvc = make_document(boss, titel="Concept begroting", doelgroep="rvc", shared=False)
        member_client, rvc_client = login(eindhoven_user), login(rvc)
        assert listed(member_client) == [] and listed(rvc_client) == []
        assert member_client.get(detail(for_members)).status_code == 404
        assert member_client.get(download(for_members)).status_code == 404
        assert rvc_client.get(detail(for_rvc)).status_code == 404
        services.document_share(by=boss, document=for_members)
        services.document_share(by=boss, document=for_rvc)
        assert listed(member_client) == ["Concept jaarverslag"]
        assert listed(rvc_client) == ["Concept begroting", "Concept jaarverslag"]
        assert member_client.get(download(for_members)).status_code == 200

    def test_an_adopted_document_is_released_without_sharing(self, eindhoven_user, boss):
        document = make_document(boss, titel="Statuten", soort="statuten", shared=False)
        decision = services.decision_record(
            by=boss, body=Body.objects.get(soort="alv"), kenmerk="ALV-2026-01", datum=date(2026, 1, 20), onderwerp="X"
        )
        services.document_adopt(by=boss, document=document, besluit=decision)
        assert listed(login(eindhoven_user)) == ["Statuten"]

    def test_a_community_document_is_for_participating_members_only(
        self, eindhoven_user, woerden_user, boss, eindhoven
    ):
        community = CommunityFactory(naam="Zaaksysteem")
        Participation.objects.create(
            community=community, member=eindhoven, status=Participation.Status.DEELNEMER, datum=date(2025, 1, 1)
        )
        document = make_document(boss, titel="Roadmap zaaksysteem", doelgroep="community", community=community)
        participant, outsider = login(eindhoven_user), login(woerden_user)
        assert listed(participant) == ["Roadmap zaaksysteem"]
        assert participant.get(detail(document)).status_code == 200
        assert participant.get(download(document)).status_code == 200
        assert listed(outsider) == []
        assert listed(outsider, "?zoekterm=roadmap") == []
        assert outsider.get(detail(document)).status_code == 404
        assert outsider.get(download(document)).status_code == 404

    def test_a_member_that_left_the_community_no_longer_sees_its_documents(self, eindhoven_user, boss, eindhoven):
        community = CommunityFactory()
        Participation.objects.create(
            community=community,
            member=eindhoven,
            status=Participation.Status.DEELNEMER,
            datum=date(2024, 1, 1),
            einddatum=date(2025, 1, 1),
        )
        document = make_document(boss, doelgroep="community", community=community)
        assert login(eindhoven_user).get(detail(document)).status_code == 404

    @pytest.mark.parametrize("who", ["eindhoven_user", "rvc"])
    def test_write_pages_need_manage_documents(self, request, who, boss, rvc_body):
        """A member manages nothing; the RvC only its closed documents, so it
        gets the new document page but may not write for another audience."""
        document = make_document(boss, doelgroep="leden")
        client = login(request.getfixturevalue(who))
        assert client.get(NEW).status_code == (200 if who == "rvc" else 403)
        assert client.post(NEW, new_document_data(pdf_upload())).status_code == 403
        assert client.post(f"{detail(document)}versies/nieuw/", {"versie-bestand": pdf_upload()}).status_code == 403
        decision = services.decision_record(
            by=boss, body=rvc_body, kenmerk="RvC-2026-02", datum=date(2026, 2, 1), onderwerp="Iets"
        )
        assert client.post(f"{detail(document)}vaststellen/", {"vaststellen-besluit": decision.pk}).status_code == 403
        assert client.post(f"{detail(document)}delen/").status_code == 403
        document.refresh_from_db()
        assert document.status == Document.Status.CONCEPT
        assert document.versions.count() == 1
        assert Document.objects.count() == 1

    def test_a_member_sees_no_management_on_the_page(self, eindhoven_user, boss):
        document = make_document(boss)
        page = login(eindhoven_user).get(detail(document)).content.decode()
        assert "Nieuwe versie uploaden" not in page
        assert "Vaststellen" not in page
        assert "Leesbevestigingen" not in page
        assert "Nieuw document" not in login(eindhoven_user).get(LIST).content.decode()


# --- the RvC's closed documents -------------------------------------------------------------


@pytest.fixture
def closed_document(rvc):
    return services.document_create(
        by=Actor(user=rvc),
        titel="Evaluatie directie 2026",
        soort="evaluatie-directie",
        doelgroep="rvc-besloten",
        jaar=2026,
        bestand=pdf_upload("evaluatie-geheim.pdf"),
    )


class TestClosedRvcDocuments:
    @pytest.mark.parametrize("who", ["directie", "secretaris"])
    def test_the_directie_and_the_secretaris_never_see_it(self, request, who, closed_document, boss):
        make_document(boss, titel="Begroting 2027", soort="begroting", doelgroep="rvc")
        client = login(request.getfixturevalue(who))
        assert listed(client) == ["Begroting 2027"]
        assert listed(client, "?zoekterm=evaluatie") == []
        assert listed(client, "?zoekterm=geheim") == []
        assert listed(client, "?soort=evaluatie-directie") == []
        assert closed_document.titel not in listed(client, "?doelgroep=rvc-besloten")
        page = client.get(LIST).content.decode()
        assert "Evaluatie directie 2026" not in page and "rvc-besloten" not in page  # not even as a filter
        hidden = client.get(detail(closed_document))
        missing = client.get(f"{LIST}{closed_document.pk + 1000}/")
        assert hidden.status_code == missing.status_code == 404
        assert client.get(download(closed_document)).status_code == 404
        # Managing it is the same 404: the document does not exist for them.
        assert (
            client.post(f"{detail(closed_document)}versies/nieuw/", {"versie-bestand": pdf_upload()}).status_code == 404
        )
        assert client.post(f"{detail(closed_document)}delen/").status_code == 404
        assert client.post(f"{detail(closed_document)}vaststellen/", {}).status_code == 404
        assert closed_document.versions.count() == 1 and Document.objects.get(pk=closed_document.pk).gedeeld_op is None

    def test_the_directie_cannot_choose_the_closed_audience(self, directie):
        client = login(directie)
        page = client.get(NEW).content.decode()
        assert 'value="rvc-besloten"' not in page and 'value="leden"' in page and 'value="rvc"' in page
        response = client.post(NEW, new_document_data(pdf_upload(), doelgroep="rvc-besloten"))
        assert response.status_code == 403
        assert_nothing_saved()

    def test_the_rvc_creates_manages_and_downloads_it(
        self, rvc, directie, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = login(rvc)
        assert "Nieuw document" in client.get(LIST).content.decode()
        page = client.get(NEW).content.decode()
        assert 'value="rvc-besloten"' in page
        assert 'value="leden"' not in page and 'value="rvc"' not in page and 'value="directie"' not in page
        assert 'name="community"' not in page
        assert "de directie en de secretaris niet" in page
        response = client.post(
            NEW,
            new_document_data(
                pdf_upload("evaluatie.pdf"),
                titel="Evaluatie directie 2026",
                soort="evaluatie-directie",
                doelgroep="rvc-besloten",
                jaar="2026",
            ),
        )
        document = Document.objects.get()
        assert response.status_code == 302 and response["Location"] == detail(document)
        assert (document.doelgroep, document.status, document.aangemaakt_door) == ("rvc-besloten", "concept", rvc)
        page = client.get(detail(document)).content.decode()
        assert "alleen de leden van de RvC zien het, ook als concept" in page
        assert "Nieuwe versie uploaden" in page and "Vaststellen" in page
        # Another commissaris sees the concept and downloads it.
        colleague = login(with_totp(UserFactory(roles=[StaffRole.RVC])))
        assert listed(colleague) == ["Evaluatie directie 2026"]
        assert colleague.get(download(document)).status_code == 200
        # A new version, sharing (the RvC only is told) and adopting by an RvC decision.
        assert (
            client.post(f"{detail(document)}versies/nieuw/", {"versie-bestand": pdf_upload("v2.pdf")}).status_code
            == 302
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"{detail(document)}delen/").status_code == 302
        assert directie.email not in {address for m in mailoutbox for address in m.to}
        assert {address for m in mailoutbox for address in m.to} >= {rvc.email}
        adopt_page = client.get(detail(document)).content.decode()
        form = adopt_page.split('id="vaststellen"')[1].split("</form>")[0]
        rvc_body = Body.objects.get(soort="rvc")
        assert f'value="{rvc_body.pk}"' in form and f'value="{Body.objects.get(soort="alv").pk}"' not in form
        response = client.post(
            f"{detail(document)}vaststellen/",
            {
                "vaststellen-kenmerk": "RvC-2026-30",
                "vaststellen-datum": "2026-06-01",
                "vaststellen-onderwerp": "Evaluatie directie 2026",
                "vaststellen-orgaan": rvc_body.pk,
            },
        )
        assert response.status_code == 302
        document.refresh_from_db()
        assert (document.status, document.besluit.kenmerk, document.besluit.body) == (
            "vastgesteld",
            "RvC-2026-30",
            rvc_body,
        )
        assert document.versions.count() == 2
        events = AuditEvent.objects.filter(object_type="governance.Document", object_id=str(document.pk))
        assert {e.actor_id for e in events} == {rvc.pk}
        # Still nothing for the directie.
        assert login(directie).get(detail(document)).status_code == 404

    def test_the_rvc_manages_only_its_closed_documents(self, rvc, boss, closed_document):
        shared = make_document(boss, titel="Begroting 2027", soort="begroting", doelgroep="rvc")
        concept = make_document(boss, titel="Notulen", doelgroep="rvc", shared=False)
        client = login(rvc)
        page = client.get(detail(shared)).content.decode()
        assert "Beheer" not in page and "Nieuwe versie uploaden" not in page
        assert client.post(f"{detail(shared)}versies/nieuw/", {"versie-bestand": pdf_upload()}).status_code == 403
        assert client.post(f"{detail(shared)}vaststellen/", {}).status_code == 403
        assert client.get(detail(concept)).status_code == 404  # another audience's concept stays hidden
        assert client.post(f"{detail(concept)}delen/").status_code == 404
        assert shared.versions.count() == 1
        assert "Beheer" in client.get(detail(closed_document)).content.decode()


# --- uploads -------------------------------------------------------------------------------


def assert_nothing_saved():
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="governance.document").exists()
    assert stored_files() == []


class TestUpload:
    def test_the_new_document_form_accepts_only_our_types(self, directie):
        page = login(directie).get(NEW).content.decode()
        assert 'accept=".pdf,.odt,.docx"' in page
        assert 'enctype="multipart/form-data"' in page
        assert "<label" in page and "Doelgroep" in page

    def test_a_text_file_renamed_pdf_is_refused(self, directie):
        response = login(directie).post(NEW, new_document_data(SimpleUploadedFile("begroting.pdf", b"Geen PDF.\n")))
        assert response.status_code == 400
        page = response.content.decode()
        assert "Bestand: De inhoud van begroting.pdf is geen PDF-bestand; het bestand is geweigerd." in page
        assert "Niet opgeslagen" in page
        assert_nothing_saved()

    def test_an_exe_is_refused(self, directie):
        exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/x-msdownload")
        response = login(directie).post(NEW, new_document_data(exe))
        assert response.status_code == 400
        assert "Bestand: Alleen PDF-, ODT- en DOCX-bestanden zijn toegestaan." in response.content.decode()
        assert_nothing_saved()

    def test_a_zip_named_docx_is_refused(self, directie):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("iets.txt", "geen Word")
        response = login(directie).post(NEW, new_document_data(SimpleUploadedFile("stuk.docx", buffer.getvalue())))
        assert response.status_code == 400
        assert "geen DOCX-bestand" in response.content.decode()
        assert_nothing_saved()

    def test_a_file_over_the_limit_is_refused(self, directie, settings):
        settings.GOVERNANCE_MAX_UPLOAD_BYTES = 1024
        big = pdf_upload(content=PDF_BYTES + b"0" * 2048)
        response = login(directie).post(NEW, new_document_data(big))
        assert response.status_code == 400
        page = response.content.decode()
        assert "Bestand: Het bestand is 2,0\xa0KB; ten hoogste 1,0\xa0KB is toegestaan." in page
        assert "ten hoogste 1,0\xa0KB" in login(directie).get(NEW).content.decode()  # the form says so beforehand
        assert_nothing_saved()

    def test_community_is_required_for_a_community_document_and_refused_otherwise(self, directie):
        client = login(directie)
        response = client.post(NEW, new_document_data(pdf_upload(), doelgroep="community"))
        assert response.status_code == 400
        assert "Community: Kies de community voor wie het document is." in response.content.decode()
        other = client.post(NEW, new_document_data(pdf_upload(), community=CommunityFactory().pk))
        assert other.status_code == 400
        assert "Een community kies je alleen bij doelgroep" in other.content.decode()
        assert_nothing_saved()

    @pytest.mark.parametrize(
        ("make", "name", "content_type"),
        [
            (pdf_upload, "Begroting 2027.pdf", uploads.PDF),
            (docx_upload, "begroting.docx", uploads.DOCX),
            (odt_upload, "begroting.odt", uploads.ODT),
        ],
    )
    def test_a_real_pdf_docx_or_odt_is_accepted(self, directie, make, name, content_type):
        upload = make(name)
        content = upload.read()
        upload.seek(0)
        client = login(directie)
        response = client.post(NEW, new_document_data(upload, kwartaal="", toelichting="Eerste opzet"))
        document = Document.objects.get()
        assert response.status_code == 302
        assert response["Location"] == detail(document)
        assert (document.titel, document.soort, document.doelgroep, document.jaar) == (
            "Begroting 2027",
            "begroting",
            "rvc",
            2027,
        )
        assert document.status == Document.Status.CONCEPT and document.gedeeld_op is None
        version = document.versions.get()
        assert (version.nummer, version.bestandsnaam, version.content_type, version.grootte) == (
            1,
            name,
            content_type,
            len(content),
        )
        assert version.toelichting == "Eerste opzet"
        [stored] = stored_files()
        assert stored.read_bytes() == content
        assert stored.relative_to(settings.MEDIA_ROOT).parts[:2] == ("governance", str(document.pk))
        assert name.rsplit(".", 1)[0] not in stored.name  # a random name, not the original
        got = client.get(download(document))
        assert got.status_code == 200
        assert got["Content-Type"] == content_type
        assert got["Content-Disposition"].startswith("attachment;")
        assert name.split()[0] in got["Content-Disposition"]
        assert b"".join(got.streaming_content) == content

    def test_versions_increment(self, directie, boss):
        document = make_document(boss, doelgroep="leden", shared=False)
        client = login(directie)
        for n, upload in [(2, docx_upload("v2.docx")), (3, odt_upload("v3.odt"))]:
            response = client.post(
                f"{detail(document)}versies/nieuw/", {"versie-bestand": upload, "versie-toelichting": f"Versie {n}"}
            )
            assert response.status_code == 302
        assert list(document.versions.order_by("nummer").values_list("nummer", "bestandsnaam")) == [
            (1, "stuk.pdf"),
            (2, "v2.docx"),
            (3, "v3.odt"),
        ]
        page = client.get(detail(document)).content.decode()
        for n in (1, 2, 3):
            assert f'href="{download(document, n)}"' in page
        assert len(stored_files()) == 3
        assert client.get(download(document, 2))["Content-Type"] == uploads.DOCX

    def test_a_refused_version_saves_nothing(self, directie, boss):
        document = make_document(boss, shared=False)
        events = AuditEvent.objects.count()
        response = login(directie).post(
            f"{detail(document)}versies/nieuw/", {"versie-bestand": SimpleUploadedFile("v2.pdf", b"tekst")}
        )
        assert response.status_code == 400
        assert "Bestand: De inhoud van v2.pdf is geen PDF-bestand" in response.content.decode()
        assert document.versions.count() == 1
        assert len(stored_files()) == 1
        assert AuditEvent.objects.count() == events


# --- vaststellen and delen ------------------------------------------------------------------


class TestAdopt:
    def test_without_a_decision_is_refused_naming_the_field(self, directie, boss):
        document = make_document(boss, shared=False)
        response = login(directie).post(f"{detail(document)}vaststellen/", {"vaststellen-besluit": ""})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Bestaand besluit: Een document wordt alleen vastgesteld met het besluit dat het vaststelt." in page
        document.refresh_from_db()
        assert (document.status, document.besluit, document.vastgesteld_op) == ("concept", None, None)
        assert not AuditEvent.objects.filter(action="governance.document_adopt").exists()

    def test_with_an_existing_decision_of_any_body(self, directie, boss):
        document = make_document(boss, shared=False)
        alv = Body.objects.get(soort=Body.Kind.ALV)
        decision = services.decision_record(
            by=boss, body=alv, kenmerk="ALV-2026-04", datum=date(2026, 3, 12), onderwerp="Jaarrekening 2025"
        )
        client = login(directie)
        assert "ALV-2026-04 – Jaarrekening 2025" in client.get(detail(document)).content.decode()
        response = client.post(f"{detail(document)}vaststellen/", {"vaststellen-besluit": decision.pk})
        assert response.status_code == 302
        document.refresh_from_db()
        assert (document.status, document.besluit, document.vastgesteld_op) == (
            "vastgesteld",
            decision,
            date(2026, 3, 12),
        )
        page = client.get(detail(document)).content.decode()
        assert "ALV-2026-04: Jaarrekening 2025 (Algemene ledenvergadering)" in page
        assert "Nieuwe versie uploaden" not in page

    def test_with_a_new_decision_recorded_inline(self, secretaris, rvc_body):
        document = make_document(Actor(user=secretaris), shared=False)
        response = login(secretaris).post(
            f"{detail(document)}vaststellen/",
            {
                "vaststellen-kenmerk": "RvC-2026-07",
                "vaststellen-datum": "2026-05-14",
                "vaststellen-onderwerp": "Vaststelling begroting",
                "vaststellen-orgaan": rvc_body.pk,
            },
        )
        assert response.status_code == 302
        decision = Decision.objects.get(kenmerk="RvC-2026-07")
        assert (decision.body, decision.datum, decision.vastgelegd_door) == (rvc_body, date(2026, 5, 14), secretaris)
        document.refresh_from_db()
        assert document.besluit == decision and document.status == Document.Status.VASTGESTELD

    def test_a_refused_adoption_records_no_new_decision(self, directie, boss, rvc_body):
        document = make_document(boss, shared=False)
        first = services.decision_record(
            by=boss, body=rvc_body, kenmerk="RvC-2026-03", datum=date(2026, 3, 1), onderwerp="Eerste"
        )
        services.document_adopt(by=boss, document=document, besluit=first)
        response = login(directie).post(
            f"{detail(document)}vaststellen/",
            {
                "vaststellen-kenmerk": "RvC-2026-09",
                "vaststellen-datum": "2026-06-01",
                "vaststellen-onderwerp": "Nog eens",
                "vaststellen-orgaan": rvc_body.pk,
            },
        )
        assert response.status_code == 400
        assert (
            "Status: " in response.content.decode() and "is al vastgesteld op 01-03-2026" in response.content.decode()
        )
        assert not Decision.objects.filter(kenmerk="RvC-2026-09").exists()
        assert not AuditEvent.objects.filter(action="governance.decision_record", data__kenmerk="RvC-2026-09").exists()

    def test_a_duplicate_kenmerk_is_refused_at_the_kenmerk(self, directie, boss, rvc_body):
        document = make_document(boss, shared=False)
        services.decision_record(by=boss, body=rvc_body, kenmerk="RvC-2026-05", datum=date(2026, 3, 1), onderwerp="X")
        response = login(directie).post(
            f"{detail(document)}vaststellen/",
            {
                "vaststellen-kenmerk": "rvc-2026-05",
                "vaststellen-datum": "2026-06-01",
                "vaststellen-onderwerp": "Y",
                "vaststellen-orgaan": rvc_body.pk,
            },
        )
        assert response.status_code == 400
        assert "Kenmerk van het nieuwe besluit: Er is al een besluit met kenmerk rvc-2026-05." in (
            response.content.decode()
        )
        document.refresh_from_db()
        assert document.status == Document.Status.CONCEPT

    def test_an_incomplete_new_decision_or_both_kinds_are_refused(self, directie, boss, rvc_body):
        document = make_document(boss, shared=False)
        existing = services.decision_record(
            by=boss, body=rvc_body, kenmerk="RvC-2026-06", datum=date(2026, 3, 1), onderwerp="X"
        )
        client = login(directie)
        half = client.post(f"{detail(document)}vaststellen/", {"vaststellen-kenmerk": "RvC-2026-10"})
        assert half.status_code == 400
        assert "Datum van het besluit: Vul dit in voor het nieuwe besluit." in half.content.decode()
        both = client.post(
            f"{detail(document)}vaststellen/",
            {"vaststellen-besluit": existing.pk, "vaststellen-kenmerk": "RvC-2026-10"},
        )
        assert both.status_code == 400
        assert "niet allebei" in both.content.decode()
        document.refresh_from_db()
        assert document.status == Document.Status.CONCEPT
        assert Decision.objects.count() == 1

    def test_an_adopted_document_refuses_a_new_version(self, directie, boss, rvc_body):
        document = make_document(boss, shared=False)
        decision = services.decision_record(
            by=boss, body=rvc_body, kenmerk="RvC-2026-08", datum=date(2026, 3, 1), onderwerp="X"
        )
        services.document_adopt(by=boss, document=document, besluit=decision)
        response = login(directie).post(f"{detail(document)}versies/nieuw/", {"versie-bestand": pdf_upload("v2.pdf")})
        assert response.status_code == 400
        assert "Een vastgesteld document verandert niet" in response.content.decode()
        assert document.versions.count() == 1
        assert len(stored_files()) == 1


class TestAdoptingBody:
    """Regression (review): statuten adopted with a directie decision."""

    def test_the_form_offers_only_the_adopting_bodys_decisions(self, directie, boss):
        document = make_document(boss, titel="Statuten", soort="statuten", shared=False)
        alv = Body.objects.get(soort="alv")
        directie_body = Body.objects.get(soort="directie")
        own = services.decision_record(
            by=boss, body=directie_body, kenmerk="DIR-2026-01", datum=date(2026, 3, 1), onderwerp="X"
        )
        services.decision_record(by=boss, body=alv, kenmerk="ALV-2026-02", datum=date(2026, 3, 2), onderwerp="Statuten")
        client = login(directie)
        form = client.get(detail(document)).content.decode().split('id="vaststellen"')[1].split("</form>")[0]
        assert "ALV-2026-02" in form and "DIR-2026-01" not in form
        orgaan = form.split('name="vaststellen-orgaan"')[1].split("</select>")[0]
        assert orgaan.count("<option") == 1 and f'value="{alv.pk}"' in orgaan  # the ALV, nothing to choose
        assert "Statuten: vastgesteld bij besluit van Algemene ledenvergadering." in form
        # A directie decision, chosen or recorded here, is refused and nothing is kept.
        refused = client.post(f"{detail(document)}vaststellen/", {"vaststellen-besluit": own.pk})
        assert refused.status_code == 400
        refused = client.post(
            f"{detail(document)}vaststellen/",
            {
                "vaststellen-kenmerk": "DIR-2026-02",
                "vaststellen-datum": "2026-06-01",
                "vaststellen-onderwerp": "Statuten",
                "vaststellen-orgaan": directie_body.pk,
            },
        )
        assert refused.status_code == 400
        assert not Decision.objects.filter(kenmerk="DIR-2026-02").exists()
        document.refresh_from_db()
        assert document.status == Document.Status.CONCEPT
        response = client.post(
            f"{detail(document)}vaststellen/",
            {
                "vaststellen-kenmerk": "ALV-2026-03",
                "vaststellen-datum": "2026-06-01",
                "vaststellen-onderwerp": "Statuten",
                "vaststellen-orgaan": alv.pk,
            },
        )
        assert response.status_code == 302
        document.refresh_from_db()
        assert (document.status, document.besluit.body) == ("vastgesteld", alv)

    def test_a_kind_without_an_adopting_body_takes_any_decision(self, directie, boss):
        document = make_document(boss, titel="Notulen", soort="notulen", shared=False)
        form = login(directie).get(detail(document)).content.decode().split('id="vaststellen"')[1]
        for body in Body.objects.all():
            assert f'value="{body.pk}"' in form.split("</form>")[0]


class TestShare:
    def test_sharing_releases_and_tells_the_audience(
        self, directie, boss, eindhoven_user, mailoutbox, django_capture_on_commit_callbacks
    ):
        document = make_document(boss, titel="Notulen ALV", soort="notulen", shared=False)
        client = login(directie)
        assert "Dit concept is nog niet gedeeld" in client.get(detail(document)).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{detail(document)}delen/")
        assert response.status_code == 302
        document.refresh_from_db()
        assert document.gedeeld_op is not None
        assert [m.to for m in mailoutbox] == [[eindhoven_user.email]]
        assert f"/governance/documenten/{document.pk}/" in mailoutbox[0].body
        page = client.get(detail(document)).content.decode()
        assert "Delen met de doelgroep" not in page
        assert "Gelezen door 0 van" in page

    def test_sharing_twice_is_refused(self, directie, boss):
        document = make_document(boss)
        response = login(directie).post(f"{detail(document)}delen/", follow=True)
        assert "Dit document is al gedeeld op" in response.content.decode()


# --- read receipts ----------------------------------------------------------------------------


class TestReadReceipts:
    def test_two_users_of_one_member_give_one_receipt_and_the_manager_sees_the_counts(
        self, directie, boss, eindhoven, eindhoven_user, woerden, woerden_user
    ):
        document = make_document(boss, titel="Jaarverslag 2025", soort="jaarverslag")
        colleague = member_user(eindhoven, MemberRole.Role.FINANCIEEL_CONTACT)
        assert login(eindhoven_user).get(detail(document)).status_code == 200
        assert login(colleague).get(download(document)).status_code == 200
        assert login(eindhoven_user).get(detail(document)).status_code == 200
        receipt = ReadReceipt.objects.get()
        assert (receipt.member, receipt.user) == (eindhoven, eindhoven_user)
        active = Member.objects.filter(status=admission.ACTIEF).count()
        page = login(directie).get(detail(document)).content.decode()
        assert f"Gelezen door 1 van {active} leden" in page
        assert "Gemeente Eindhoven: " in page
        assert "<li>Gemeente Woerden</li>" in page
        login(woerden_user).get(detail(document))
        page = login(directie).get(detail(document)).content.decode()
        assert f"Gelezen door 2 van {active} leden" in page
        assert ReadReceipt.objects.count() == 2

    def test_reading_is_audited_once_per_member(self, boss, eindhoven, eindhoven_user, woerden_user):
        document = make_document(boss, titel="Jaarverslag 2025", soort="jaarverslag")
        colleague = member_user(eindhoven, MemberRole.Role.FINANCIEEL_CONTACT)
        login(eindhoven_user).get(detail(document))
        login(eindhoven_user).get(download(document))
        login(colleague).get(detail(document))
        reads = AuditEvent.objects.filter(action="governance.document_read", object_id=str(document.pk))
        assert [(e.actor_id, e.data["leesbevestiging"]) for e in reads] == [
            (eindhoven_user.pk, ReadReceipt.objects.get(member=eindhoven).pk)
        ]
        login(woerden_user).get(download(document))
        assert reads.all().count() == 2

    def test_no_receipt_for_staff_concepts_or_other_audiences(self, directie, rvc, boss, eindhoven, eindhoven_user):
        shared = make_document(boss)
        login(directie).get(detail(shared))
        login(rvc).get(detail(shared))
        adopted_only = make_document(boss, shared=False)
        decision = services.decision_record(
            by=boss, body=Body.objects.get(soort="alv"), kenmerk="ALV-1", datum=date(2026, 3, 1), onderwerp="X"
        )
        services.document_adopt(by=boss, document=adopted_only, besluit=decision)
        login(eindhoven_user).get(detail(adopted_only))  # released by adoption, never sent: no receipt
        community = CommunityFactory()
        Participation.objects.create(
            community=community, member=eindhoven, status=Participation.Status.DEELNEMER, datum=date(2025, 1, 1)
        )
        login(eindhoven_user).get(detail(make_document(boss, doelgroep="community", community=community)))
        assert ReadReceipt.objects.count() == 0

    def test_the_counts_are_for_managers_only(self, boss, eindhoven_user, rvc):
        document = make_document(boss)
        assert "Gelezen door" not in login(eindhoven_user).get(detail(document)).content.decode()
        assert "Gelezen door" not in login(rvc).get(detail(document)).content.decode()


# --- the register: search, filters, audit, budget ---------------------------------------------


class TestRegister:
    def test_search_and_filters(self, directie, boss, rvc_body):
        make_document(boss, titel="Begroting 2027", soort="begroting", doelgroep="rvc", bestand=pdf_upload("b.pdf"))
        make_document(boss, titel="Statuten", soort="statuten", bestand=pdf_upload("statuten-2019.pdf"), shared=False)
        notulen = make_document(boss, titel="Notulen ALV maart", soort="notulen")
        decision = services.decision_record(
            by=boss, body=rvc_body, kenmerk="RvC-2026-11", datum=date(2026, 4, 1), onderwerp="X"
        )
        services.document_adopt(by=boss, document=notulen, besluit=decision)
        client = login(directie)
        assert listed(client, "?zoekterm=begroting") == ["Begroting 2027"]
        assert listed(client, "?zoekterm=2019") == ["Statuten"]  # in the file name
        assert listed(client, "?soort=notulen") == ["Notulen ALV maart"]
        assert listed(client, "?doelgroep=rvc") == ["Begroting 2027"]
        assert listed(client, "?status=vastgesteld") == ["Notulen ALV maart"]
        assert listed(client, "?status=concept&doelgroep=leden") == ["Statuten"]
        assert listed(client, "?soort=bestaat-niet") == ["Notulen ALV maart", "Statuten", "Begroting 2027"]
        page = client.get(LIST + "?zoekterm=niets").content.decode()
        assert "Geen documenten gevonden die aan uw zoekopdracht voldoen." in page
        assert 'role="search"' in page and "Nieuw document" in page

    def test_status_is_written_not_only_coloured(self, directie, boss):
        make_document(boss, titel="Concept", shared=False)
        page = login(directie).get(LIST).content.decode()
        assert ">Concept</span>" in page and "nog niet gedeeld" in page

    def test_the_register_is_paginated(self, directie, boss):
        for n in range(52):
            Document.objects.create(titel=f"Stuk {n}", soort="overig", doelgroep="leden", aangemaakt_door=boss.user)
        client = login(directie)
        assert len(listed(client)) == 50
        assert len(listed(client, "?pagina=2")) == 2

    def test_every_write_is_audited(self, directie):
        client = login(directie)
        client.post(NEW, new_document_data(pdf_upload()))
        document = Document.objects.get()
        client.post(f"{detail(document)}versies/nieuw/", {"versie-bestand": docx_upload()})
        client.post(f"{detail(document)}delen/")
        client.post(
            f"{detail(document)}vaststellen/",
            {
                "vaststellen-kenmerk": "ALV-2026-12",
                "vaststellen-datum": "2026-05-01",
                "vaststellen-onderwerp": "Begroting",
                "vaststellen-orgaan": Body.objects.get(soort="alv").pk,  # the ALV adopts the begroting
            },
        )
        events = AuditEvent.objects.filter(object_type="governance.Document", object_id=str(document.pk))
        assert list(events.order_by("id").values_list("action", flat=True)) == [
            "governance.document_create",
            "governance.document_version",
            "governance.document_version",
            "governance.document_share",
            "governance.document_adopt",
        ]
        assert {e.actor_id for e in events} == {directie.pk}
        assert events.get(action="governance.document_adopt").data["besluit"] == "ALV-2026-12"
        assert AuditEvent.objects.filter(action="governance.decision_record", data__kenmerk="ALV-2026-12").exists()


REGISTER_BUDGET = 14


def _with_documents(boss, community, n: int) -> None:
    kinds = ["leden", "rvc", "community"]
    for i in range(n):
        doelgroep = kinds[i % 3]
        make_document(
            boss,
            titel=f"Document {i}",
            doelgroep=doelgroep,
            community=community if doelgroep == "community" else None,
            jaar=2026,
            kwartaal=1 + i % 4,
        )


@pytest.mark.parametrize("who", ["directie", "rvc", "eindhoven_user"])
def test_the_register_page_costs_the_same_for_3_or_30_documents(
    request, who, boss, eindhoven, django_assert_max_num_queries
):
    community = CommunityFactory()
    Participation.objects.create(
        community=community, member=eindhoven, status=Participation.Status.DEELNEMER, datum=date(2025, 1, 1)
    )
    client = login(request.getfixturevalue(who))
    _with_documents(boss, community, 3)
    client.get(LIST)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as three:
        small = client.get(LIST).content.decode()
    _with_documents(boss, community, 27)
    with django_assert_max_num_queries(REGISTER_BUDGET) as thirty:
        large = client.get(LIST).content.decode()
    assert len(thirty) == len(three)
    rows = {"directie": 30, "rvc": 20, "eindhoven_user": 20}[who]
    assert small.count('<th scope="row"') == rows * 3 // 30
    assert large.count('<th scope="row"') == rows
    assert len(three) <= REGISTER_BUDGET


def test_the_detail_page_does_not_grow_with_versions(directie, boss, django_assert_max_num_queries):
    document = make_document(boss, shared=True)
    client = login(directie)
    client.get(detail(document))
    with CaptureQueriesContext(connection) as one:
        client.get(detail(document))
    for n in range(10):
        services.document_add_version(by=boss, document=document, bestand=pdf_upload(f"v{n}.pdf"))
    for _ in range(5):
        MemberFactory()
    with django_assert_max_num_queries(len(one)):
        assert client.get(detail(document)).status_code == 200
