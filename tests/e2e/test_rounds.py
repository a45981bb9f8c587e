"""The round selector in a real browser: picking a round shows it at once (the selector's script), and the choice
stays while the coordinator goes from the ledger to the dashboard and back; 全部批次 sums every round."""
from __future__ import annotations

from collections.abc import Callable

from tests.e2e.people import PHONE_WIDTH, Person, Site
from tests.engine.test_rounds import PROVINCIAL

People = Callable[..., Person]


def test_the_chosen_round_is_shown_and_kept_between_pages(site: Site, person: People) -> None:
    world = site.world
    first = world.duban.rounds.current_id()
    provincial = world.duban.rounds.create(world["coordinator"], {**PROVINCIAL, "name": "省级督察（浏览器）"})
    for code in ("8-1", "8-2"):
        world.register(code, round_id=first)
    world.register("8-1", round_id=provincial)
    coordinator = person("coordinator")
    ledger = coordinator.open("/ledger?round=all", "ledger-every-round")
    every = int(ledger.locator("h1 .badge").inner_text())
    ledger.get_by_label("督察批次").select_option(label="省级督察（浏览器）")  # no button pressed: the script submits
    ledger.wait_for_url(f"**round={provincial}**")
    coordinator.shot("ledger-one-round")
    assert ledger.locator("h1 .badge").inner_text() == "1"
    assert ledger.get_by_text("四川省第二环境保护督察组", exact=False).count() == 1
    dashboard = coordinator.open("/dashboard", "dashboard-one-round")
    assert dashboard.get_by_label("督察批次").input_value() == str(provincial)
    dashboard.get_by_label("督察批次").select_option(label="全部批次")
    dashboard.wait_for_url("**round=all**")
    assert coordinator.open("/ledger", "ledger-every-round-again").locator("h1 .badge").inner_text() == str(every)


def test_the_selector_fits_a_phone(site: Site, person: People) -> None:
    coordinator = person("coordinator", phone=True)
    coordinator.open("/ledger", "ledger-rounds-phone")
    assert coordinator.page_width() <= PHONE_WIDTH
