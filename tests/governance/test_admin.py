"""Governance in the admin: everything can be looked at, nothing written
there (the services keep the terms of office, the immutability and the
audit log), and document files are never offered outside the portal."""

import pytest

from beware.common.models import AuditEvent
from governance import demo
from governance.models import (
    Body,
    ConflictOfInterest,
    Contract,
    Decision,
    Document,
    DocumentVersion,
    Mandate,
    Meeting,
    Person,
    SideActivity,
)
from membership.demo import seed_founding_situation
from tests.conftest import login, with_totp
from tests.factories import UserFactory

MODELS = [
    Body,
    Person,
    Decision,
    Mandate,
    Document,
    DocumentVersion,
    Meeting,
    SideActivity,
    ConflictOfInterest,
    Contract,
]


@pytest.fixture
def superuser(db):
    seed_founding_situation()
    demo.seed_governance()
    return with_totp(UserFactory(is_staff=True, is_superuser=True))


def _url(model, suffix: str) -> str:
    return f"/beheer/governance/{model._meta.model_name}/{suffix}"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_governance_is_read_only_in_the_admin(superuser, model):
    client = login(superuser)
    assert client.get(_url(model, "")).status_code == 200
    obj = model.objects.order_by("pk").first()
    page = client.get(_url(model, f"{obj.pk}/change/"))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(_url(model, "add/")).status_code == 403
    events = AuditEvent.objects.count()
    assert client.post(_url(model, f"{obj.pk}/delete/"), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    assert AuditEvent.objects.count() == events


def test_the_admin_never_links_to_a_document_file(superuser):
    client = login(superuser)
    evaluation = Document.objects.get(soort=Document.Kind.EVALUATIE_DIRECTIE)
    version = evaluation.versions.get()
    for url in (_url(Document, f"{evaluation.pk}/change/"), _url(DocumentVersion, f"{version.pk}/change/")):
        content = client.get(url).content.decode()
        assert version.sha256 in content
        assert version.bestand.name not in content


def test_closed_rvc_documents_stay_hidden_in_the_admin(superuser):
    """A staff account allowed to look at documents in the admin, but not an
    RvC member, does not find the RvC's closed evaluation there either."""
    from django.contrib.auth.models import Permission

    staff = with_totp(UserFactory(is_staff=True))
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_document", "view_documentversion"]))
    evaluation = Document.objects.get(soort=Document.Kind.EVALUATIE_DIRECTIE)
    client = login(staff)
    listing = client.get(_url(Document, "")).content.decode()
    assert "Statuten" in listing and evaluation.titel not in listing
    assert client.get(_url(Document, f"{evaluation.pk}/change/")).status_code == 302  # "does not exist"
    versions = client.get(_url(DocumentVersion, "")).content.decode()
    assert evaluation.titel not in versions
    assert evaluation.titel in login(superuser).get(_url(Document, "")).content.decode()
