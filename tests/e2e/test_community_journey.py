"""A late join through the browser: a member's representative opens a decided
community, sees the quote with the amounts from the allocation kernel, asks
to join; the coordinator accepts; the community page shows the new
participant. Accessible (axe) on every page on the way."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, log_in

PASSWORD = "Test-wachtwoord-2026"  # tests.factories.UserFactory's
ONE_OFF = Decimal("120000.00")
INWONERS = {"a": 200_000, "b": 50_000, "c": 30_000, "d": 50_000}


def euro(amount: Decimal) -> str:
    """Dutch notation, as the portal shows amounts: € 18.181,82."""
    return "€ " + f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.fixture
def zaken(transactional_db):
    """DOMAIN.md's worked example, created through the real services: A, B
    and C took part when the directie decided go on 120.000,00 one-off costs;
    D is a later joiner. The live server thread needs it committed, hence
    `transactional_db` (which also flushes the role groups: recreate them)."""
    from beware.accounts.roles import StaffRole, ensure_role_groups
    from beware.common.audit import Actor
    from businesscases import services as bc_services
    from communities import services
    from membership.models import MemberRole
    from tests.conftest import with_totp
    from tests.factories import CommunityFactory, UserFactory, member_user, member_with_inwoners

    ensure_role_groups()
    system = Actor.system()
    members = {code: member_with_inwoners(code, size) for code, size in INWONERS.items()}
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=members["a"], status="ontwikkeling")
    for code in "abc":
        services.participation_add(community, members[code], by=system, datum=date(2024, 2, 1))
    business_case = bc_services.businesscase_create(
        community, by=system, titel="Zaakafhandeling", peildatum=date(2024, 1, 1)
    )
    bc_services.cost_line_add(business_case, by=system, soort="ontwikkeling", omschrijving="Bouw", bedrag=ONE_OFF)
    bc_services.businesscase_submit(business_case, by=system)
    directie = with_totp(UserFactory(roles=[StaffRole.DIRECTIE]))
    bc_services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=date(2024, 3, 1))

    representative = member_user(members["d"], MemberRole.Role.COMMUNITY_CONTACT, email="vertegenwoordiger@d.example")
    coordinator = member_user(members["a"], MemberRole.Role.COMMUNITY_CONTACT, email="coordinator@a.example")
    services.coordinator_add(community, coordinator, by=system)
    return {
        "members": members,
        "community": community,
        "business_case": business_case,
        "representative": representative,
        "coordinator": coordinator,
    }


def expected_settlement():
    """What the kernel says D pays and A, B, C get back, checked against the
    numbers documented in DOMAIN.md §3.5."""
    from businesscases.allocation import late_join_settlement

    earlier = {code: INWONERS[code] for code in "abc"}
    settlement = late_join_settlement(ONE_OFF, earlier, "d", INWONERS["d"])
    assert settlement.charge == Decimal("18181.82")
    assert settlement.credits == {"a": Decimal("12987.02"), "b": Decimal("3246.75"), "c": Decimal("1948.05")}
    assert sum(settlement.credits.values()) == settlement.charge
    return settlement


def messages(page):
    return page.get_by_role("status")


def test_late_joiner_asks_and_the_coordinator_accepts(page, zaken):
    settlement = expected_settlement()

    # D's representative finds the community in the catalogue.
    log_in(page, zaken["representative"].email, PASSWORD)
    expect(page.locator("header")).to_contain_text("Gemeente D")
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="Communities").click()
    expect(page).to_have_url(re.compile(r"/communities/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Communities")
    catalogue = page.get_by_role("table", name="Catalogus van communities")
    row = catalogue.get_by_role("row").filter(has=page.get_by_role("link", name="Zaakafhandeling"))
    expect(row).to_contain_text("Gemeente A")  # the trekker
    expect(row.get_by_role("cell").last).to_have_text("3")  # participants
    assert_no_serious_axe_violations(page)

    row.get_by_role("link", name="Zaakafhandeling").click()
    expect(page).to_have_url(re.compile(r"/communities/zaken/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zaakafhandeling")
    participants = page.get_by_role("table", name="3 deelnemers")
    for name in ("Gemeente A", "Gemeente B", "Gemeente C"):
        expect(participants.get_by_role("rowheader", name=name)).to_be_visible()
    expect(participants.get_by_role("rowheader", name="Gemeente D")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    # The quote: what D pays, what A, B and C get back.
    page.get_by_role("link", name="Deelnemen namens Gemeente D").click()
    expect(page).to_have_url(re.compile(r"/communities/zaken/deelnemen/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deelnemen aan Zaakafhandeling")
    quote = page.get_by_role("region", name="Zaakafhandeling")
    expect(quote.get_by_test_id("offerte-bedrag")).to_have_text(euro(settlement.charge))
    expect(quote.get_by_test_id("offerte-bedrag")).to_have_text("€ 18.181,82")
    credits = quote.get_by_role("table", name="Wat de eerdere deelnemers terugkrijgen")
    for code, amount in settlement.credits.items():
        credit_row = credits.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=f"Gemeente {code.upper()}")
        )
        expect(credit_row).to_contain_text(euro(amount))
        expect(credit_row).to_contain_text(f"{INWONERS[code]:,}".replace(",", "."))
    for documented in ("€ 12.987,02", "€ 3.246,75", "€ 1.948,05"):
        expect(credits).to_contain_text(documented)
    expect(credits.get_by_role("row").last).to_contain_text("€ 18.181,82")  # the sum: what D pays
    assert_no_serious_axe_violations(page)

    page.get_by_label("Toelichting (optioneel)").fill("Wij doen mee vanaf juni, met het team Zaken.")
    page.get_by_role("button", name="Vraag deelname aan namens Gemeente D").click()
    expect(page).to_have_url(re.compile(r"/communities/zaken/$"))
    expect(messages(page)).to_contain_text("De aanvraag van Gemeente D is verstuurd; een coördinator beoordeelt haar.")
    expect(page.locator("#eigen-deelname")).to_contain_text(
        re.compile(r"De aanvraag van Gemeente D van .+ wacht op een coördinator\.")
    )
    expect(page.get_by_role("link", name="Deelnemen namens Gemeente D")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    # The coordinator (of A) accepts the request per 1 June 2024.
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    log_in(page, zaken["coordinator"].email, PASSWORD)
    page.goto("/communities/zaken/")
    request = page.get_by_role("region", name="Gemeente D")
    expect(request).to_contain_text("Wij doen mee vanaf juni, met het team Zaken.")
    expect(request).to_contain_text(f"door {zaken['representative'].get_full_name()}.")
    # The coordinator's view, with its forms: the folded ones opened too, or axe skips them.
    request.locator("summary", has_text="Aanvraag van Gemeente D afwijzen").click()
    expect(request.get_by_label("Reden van afwijzing")).to_be_visible()
    page.locator("summary", has_text="Een lid direct als deelnemer toevoegen").click()
    expect(page.get_by_role("combobox", name="Lid (verplicht)")).to_be_visible()
    assert_no_serious_axe_violations(page)
    request.get_by_label("Deelnemer vanaf").fill("2024-06-01")
    request.get_by_role("button", name="Accepteer Gemeente D").click()

    expect(page).to_have_url(re.compile(r"/communities/zaken/$"))
    expect(messages(page)).to_contain_text("Gemeente D is nu deelnemer.")
    participants = page.get_by_role("table", name="4 deelnemers")
    new_row = participants.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Gemeente D"))
    expect(new_row.get_by_role("cell").nth(0)).to_have_text("1-6-2024")
    expect(new_row.get_by_role("cell").nth(1)).to_have_text("Ontwikkeling")
    expect(page.get_by_role("region", name="Gemeente D")).to_have_count(0)
    expect(page.get_by_text("Er zijn geen openstaande aanvragen.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # What was stored: the settlement the quote promised.
    from businesscases.models import Settlement
    from communities.models import Participation

    participation = Participation.objects.get(community=zaken["community"], member=zaken["members"]["d"])
    assert (participation.status, participation.datum, participation.fase) == (
        "deelnemer",
        date(2024, 6, 1),
        "ontwikkeling",
    )
    stored = Settlement.objects.get(business_case=zaken["business_case"], member=zaken["members"]["d"])
    assert stored.bedrag == Decimal("18181.82") == settlement.charge
    assert stored.datum == date(2024, 6, 1)
    credits_stored = {c.member.code: c.bedrag for c in stored.credits.select_related("member")}
    assert credits_stored == settlement.credits
    assert sum(credits_stored.values()) == stored.bedrag
