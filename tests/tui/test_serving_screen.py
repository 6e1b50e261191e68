"""The serving screen against a real `bentoml serve`: start, your own requests, live metrics, stop, nothing left."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static, TextArea

from shared.utils.local_network import nothing_listens
from tests.conftest import processes_of_home
from tests.integration.test_serving import SERVICE_MARK
from tests.tui.conftest import lessons_loaded, wait_for
from workbench.tui.screens.serving_screen import ServingScreen

pytestmark = pytest.mark.slow


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def serving_started(pilot) -> ServingScreen:
    """Open the serving screen (v), check it says stopped, start the service (s) and wait until it is ready."""
    app = pilot.app
    await lessons_loaded(pilot)
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, ServingScreen), 5, "the serving screen")
    screen = app.screen
    # The screen first asks the model store (in a child process) whether a validated model exists.
    await wait_for(pilot, lambda: "● stopped" in text_of(screen, "#serve-status"), 30, "the screen to find the model")
    await pilot.press("s")
    await wait_for(pilot, lambda: screen.state == "running", 90, "the service to be ready")
    return screen


async def test_start_send_good_and_bad_requests_see_counters_and_stop_leaves_nothing(validated_home, make_app):
    def service_processes() -> list[int]:
        return processes_of_home(validated_home, SERVICE_MARK)

    app = make_app()
    async with app.run_test(size=(150, 48)) as pilot:
        screen = await serving_started(pilot)
        port = screen.control.port
        assert f"serving at http://127.0.0.1:{port}" in text_of(screen, "#serve-status")
        assert service_processes()

        await pilot.press("ctrl+s")  # the example body: one flower of each species
        await wait_for(pilot, lambda: "→" in text_of(screen, "#serve-response"), 15, "the response")
        answer = text_of(screen, "#serve-response")
        assert "POST /classify → 200" in answer and '"class": "setosa"' in answer and '"class": "virginica"' in answer

        screen.query_one("#serve-request", TextArea).text = '{"features": [[5.1, 3.5, 1.4]]}'
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "→ 400" in text_of(screen, "#serve-response"), 15, "the 400")
        screen.query_one("#serve-endpoint", Input).value = "/predict_proba"
        screen.query_one("#serve-request", TextArea).text = '{"features": [[6.3, 3.3, 6.0, 2.5]]}'
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "POST /predict_proba → 200" in text_of(screen, "#serve-response"), 15, "predict_proba")

        # The counters come from the service's own /metrics, scraped once a second.
        await wait_for(pilot, lambda: "2 answered · 1 refused" in text_of(screen, "#serve-counters"), 10, "the counters")
        assert "≤ " in text_of(screen, "#serve-histogram")

        screen.query_one("#serve-toggle").focus()
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.state == "stopped", 30, "the stop")
        assert nothing_listens(port)
        assert service_processes() == []


async def test_leaving_the_screen_while_serving_stops_the_service(validated_home, make_app):
    def service_processes() -> list[int]:
        return processes_of_home(validated_home, SERVICE_MARK)

    app = make_app()
    async with app.run_test(size=(150, 48)) as pilot:
        screen = await serving_started(pilot)
        port = screen.control.port
        await pilot.press("escape")
        await wait_for(pilot, lambda: not service_processes(), 20, "the service to end")
        assert nothing_listens(port)
