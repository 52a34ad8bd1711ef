"""The review desk in headless Chromium: log in, filter, review, correct; no stored script runs."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.logstore import LogStore
from bot.review import auth
from bot.review.app import create_app
from tests.support.logstore import log_kwargs, make_answer

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "browser password"
HOSTILE = (
    '<script>window.__pwned = true; document.title = "pwned"</script>'
    '<img src=x onerror="window.__pwned = true"> Is this safe?'
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def desk(sqlite_url: str, tmp_path: Path, fast_password_hashing: None) -> Iterator[dict]:
    import uvicorn

    store = LogStore(sqlite_url, user_key_secret="s", spool_path=tmp_path / "spool.jsonl")
    app = create_app(sqlite_url)
    with Session(app.state.engine) as session:
        auth.add_moderator(session=session, name="alice", password=PASSWORD)
        session.commit()
    uids = {
        "mediator": store.log_answer(make_answer("Who mediates the talks?"), **log_kwargs()),
        "russian": store.log_answer(
            make_answer("Где прошли переговоры?", language="ru"), **log_kwargs()
        ),
        "unknown": store.log_answer(
            make_answer("What happens in 2030?", abstained=True), **log_kwargs()
        ),
        "hostile": store.log_answer(make_answer(HOSTILE, text=HOSTILE), **log_kwargs()),
    }
    store.log_feedback(uids["mediator"], "helpful", user_id=1)
    store.log_feedback(uids["unknown"], "report", user_id=2)
    assert store.flush(timeout=10)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield {"base": f"http://127.0.0.1:{port}", "uids": uids, "store": store}
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


def test_moderator_logs_in_filters_reviews_and_corrects(chromium, desk: dict) -> None:
    base, uids, store = desk["base"], desk["uids"], desk["store"]
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.queue")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)

    page.select_option("select[name=language]", "ru")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**language=ru**")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-uid") == uids["russian"]

    page.goto(base + "/?feedback=report")
    assert [rows.nth(i).get_attribute("data-uid") for i in range(rows.count())] == [uids["unknown"]]

    page.goto(base + "/")
    page.click(f"tr[data-uid='{uids['mediator']}'] td.question a")
    page.wait_for_selector("#review-form")
    assert page.locator("table.passages tbody tr").count() == 2
    page.check("input[name=verdict][value=incorrect]")
    page.fill("textarea[name=note]", "The mediator was Turkey.")
    page.fill("textarea[name=corrected_answer]", "Turkey mediates the talks in Istanbul.")
    page.check("input[name=approved]")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector(".notice")
    assert page.locator(".notice").inner_text() == "Review saved."
    assert page.locator("ul.history li").count() == 1
    [correction] = store.approved_corrections()
    assert correction.answer_uid == uids["mediator"]
    assert correction.corrected_answer == "Turkey mediates the talks in Istanbul."

    page.goto(base + "/?reviewed=yes")
    assert rows.count() == 1
    assert "correction" in rows.first.inner_text()
    page.goto(base + "/dashboard")
    assert page.locator("svg.chart").count() == 4
    page.screenshot(path=str(ARTIFACTS / "review-dashboard.png"), full_page=True)
    assert dialogs == []
    context.close()


def test_stored_script_does_not_run(chromium, desk: dict) -> None:
    base, uids = desk["base"], desk["uids"]
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base + "/login")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.queue")
    for path in ["/", f"/answers/{uids['hostile']}"]:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned === undefined")
        assert page.title() != "pwned"
        assert page.locator("script").count() == 0
    assert page.locator(".question-text").inner_text() == HOSTILE
    assert dialogs == []
    context.close()


def _log_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")


def test_a_review_typed_when_the_session_ended_survives_the_login(chromium, desk: dict) -> None:
    base, uids, store = desk["base"], desk["uids"], desk["store"]
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base + "/login")
    _log_in(page, base)
    page.wait_for_selector("table.queue")
    page.goto(base + f"/answers/{uids['mediator']}")
    page.check("input[name=verdict][value=incorrect]")
    page.fill("textarea[name=note]", "Typed before the session ended.")
    page.fill("textarea[name=corrected_answer]", "Turkey mediates.")
    context.clear_cookies()  # expiry, a revoked session or cleared cookies look the same
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#login-form")
    assert "review will be restored" in page.locator(".notice").inner_text()
    _log_in(page, base)
    page.wait_for_selector("#review-form")
    assert page.url == base + f"/answers/{uids['mediator']}"
    assert page.locator("textarea[name=note]").input_value() == "Typed before the session ended."
    assert page.locator("textarea[name=corrected_answer]").input_value() == "Turkey mediates."
    assert page.locator("input[name=verdict][value=incorrect]").is_checked()
    page.click("#review-form button[type=submit]")
    page.wait_for_selector(".notice")
    assert page.locator(".notice").first.inner_text() == "Review saved."
    assert store.approved_corrections() == []  # saved, not approved: the box was not ticked
    context.close()


def test_the_desk_fits_a_phone_screen(chromium, desk: dict) -> None:
    base, uids = desk["base"], desk["uids"]
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    page.goto(base + "/login")
    _log_in(page, base)
    page.wait_for_selector("table.queue")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue is {width} px wide"
    logout = page.locator(".logout button").bounding_box()
    assert logout is not None and logout["x"] + logout["width"] <= 390
    row = page.locator("table.queue tbody tr").first
    assert row.evaluate("element => getComputedStyle(element).display") == "block"
    assert page.locator("table.queue thead").is_hidden()
    page.goto(base + "/?q=talks")  # a plain row for the picture
    ARTIFACTS.mkdir(exist_ok=True)  # docs/img/review-phone.png is a copy of this picture
    page.screenshot(path=str(ARTIFACTS / "review-phone.png"), full_page=False)

    page.goto(base + f"/answers/{uids['mediator']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    answer_card = page.locator(".columns > section.card").bounding_box()
    review_card = page.locator(".columns > aside").bounding_box()
    assert answer_card and review_card
    assert review_card["y"] >= answer_card["y"] + answer_card["height"]  # one column
    assert review_card["width"] <= 390
    context.close()
