"""The task page in a browser: on a phone the current step comes first and the diagram, folded, opens on the
current step; on paper only the task is printed."""
from __future__ import annotations

from collections.abc import Callable

from tests.e2e.people import PHONE, PHONE_WIDTH, Person, Site
from tests.factories import assignment

People = Callable[..., Person]
CODE = "E2E-T"


def plan_waiting(site: Site) -> int:
    task_id = site.world.register(code=CODE)
    site.world.do("coordinator", task_id, "assign", **assignment(site.world, plan_due="2026-04-10"))
    return task_id


#: the diagram's current step lies inside the visible part of its scrolling box
CURRENT_STEP_IN_VIEW = """() => {
    const box = document.querySelector('#process-diagram .diagram-scroll').getBoundingClientRect();
    const step = document.querySelector('#process-diagram .state-current').getBoundingClientRect();
    return step.width > 0 && step.left >= box.left - 1 && step.right <= box.right + 1;
}"""


def current_step_in_view(someone: Person) -> bool:
    return bool(someone.page.evaluate(CURRENT_STEP_IN_VIEW))


def test_on_a_phone_the_current_step_is_seen_before_the_diagram(site: Site, person: People) -> None:
    task_id = _task_id(site)
    supervisor = person("supervisor", phone=True)
    page = supervisor.open(f"/tasks/{task_id}", "task-phone")
    step = page.locator("#current-step").bounding_box()
    diagram = page.locator("#process-diagram").bounding_box()
    assert step is not None and diagram is not None
    assert step["y"] + step["height"] <= PHONE["height"]  # whole in the first screen, no scrolling
    assert page.locator("#current-step").get_by_text("编制整改实施方案").is_visible()
    assert step["y"] < diagram["y"]
    assert page.locator("#process-diagram").evaluate("details => details.open") is False  # folded on a phone
    assert supervisor.page_width() <= PHONE_WIDTH
    page.locator("#process-diagram > summary").click()
    page.wait_for_function(CURRENT_STEP_IN_VIEW)  # scrolled sideways to the current step once opened
    supervisor.shot("task-phone-diagram-open")
    assert page.evaluate("document.querySelector('#process-diagram .diagram-scroll').scrollLeft") > 0


def test_on_a_desktop_the_diagram_is_open_on_the_current_step(site: Site, person: People) -> None:
    task_id = _task_id(site)
    staff = person("staff")
    page = staff.open(f"/tasks/{task_id}", "task-desktop")
    assert page.locator("#process-diagram").evaluate("details => details.open") is True
    assert current_step_in_view(staff)


def test_the_printed_task_page_has_no_menu_and_no_buttons(site: Site, person: People) -> None:
    staff = person("staff")
    page = staff.open(f"/tasks/{_task_id(site)}", "task-before-print")
    page.emulate_media(media="print")
    staff.shot("task-print")
    assert not page.locator("nav").is_visible()
    assert not page.locator("#current-step .btn").first.is_visible()
    assert not page.locator("#current-step").get_by_text("您可以办理").is_visible()
    assert page.locator("#task-history").is_visible() and page.get_by_text("督察反馈问题").is_visible()
    width = page.evaluate("document.querySelector('#process-diagram svg').getBoundingClientRect().width")
    assert width <= page.evaluate("document.querySelector('main').clientWidth")  # the diagram fits the page


def _task_id(site: Site) -> int:
    """The module's task, its plan waiting for the unit (registered by the first test that needs it)."""
    waiting = [work.task_id for work in site.world.work_for("staff") if work.form == "plan_draft"]
    return waiting[0] if waiting else plan_waiting(site)
