import io
from datetime import date

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from membership import admission
from membership.selectors import agreement_context
from tests.conftest import login
from tests.factories import InwonertalFactory, MemberFactory, member_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admitted(woerden):
    """Woerden joins on 1 April 2027 and represents its gemeente from that day."""
    woerden.status = admission.TOEGELATEN
    woerden.ingangsdatum = date(2027, 4, 1)
    woerden.save()
    representation = woerden.representations.get()
    representation.geldig_van = date(2027, 4, 1)
    representation.save()
    InwonertalFactory(gemeente=representation.gemeente, jaar=2027, aantal=52_310)
    return woerden


def test_the_agreement_names_the_member_date_inwoners_and_pro_rata(admitted):
    html = render_to_string("membership/agreement.html", agreement_context(admitted))
    assert "Gemeente Woerden" in html
    assert "1 april 2027" in html
    assert "52.310" in html
    assert "9/12 deel" in html
    assert "uitgesloten aansprakelijkheid" in html
    assert "in tweevoud ondertekend" in html


def test_a_missing_inwonertal_is_stated_not_hidden(woerden):
    woerden.status = admission.TOEGELATEN
    woerden.ingangsdatum = date(2030, 1, 1)
    html = render_to_string("membership/agreement.html", agreement_context(woerden))
    assert "Geen inwonertal bekend voor Woerden (GM0632) in 2030." in html


def test_the_pdf_is_produced_for_the_member(admitted, directie):
    response = login(directie).get(f"/leden/{admitted.pk}/overeenkomst.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Gemeente Woerden" in text
    assert "1 april 2027" in text


def test_another_member_cannot_download_the_agreement(admitted, eindhoven_user):
    assert login(eindhoven_user).get(f"/leden/{admitted.pk}/overeenkomst.pdf").status_code == 403


def test_the_member_itself_can_download_it(admitted):
    user = member_user(admitted, "lid_beheerder")
    assert login(user).get(f"/leden/{admitted.pk}/overeenkomst.pdf").content.startswith(b"%PDF-")


def test_no_agreement_before_the_admission_decision(directie):
    applicant = MemberFactory(status=admission.AANVRAAG, ingangsdatum=None)
    response = login(directie).get(f"/leden/{applicant.pk}/overeenkomst.pdf", follow=True)
    assert response.redirect_chain[-1][0] == f"/leden/{applicant.pk}/"
    assert "De overeenkomst is er pas na het besluit tot toelating." in response.content.decode()
