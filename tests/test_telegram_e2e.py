"""End-to-end: the real bot process, over python-telegram-bot's HTTP client, against the emulator.

Two bot processes are used: `python -m bot.cli serve` with the real service (fake embedder, a
small index built from tests/data/good, SQLite log store), and tests/support/run_bot_with_fake.py
with FakeService for what needs a deterministic failure (a handler error) or a special mode.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.botapi_emulator import BotApiEmulator, FakeUser, group_chat
from tests.support.telegram_bot import (
    ARTICLES,
    RATE_LIMIT,
    REPO,
    BotProcess,
    ask,
    assert_silent,
    bot_env,
    fake_bot_command,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def real_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BotApiEmulator, Path]]:
    tmp = tmp_path_factory.mktemp("real_bot")
    with BotApiEmulator() as emulator:
        env = bot_env(emulator, tmp)
        ingest = subprocess.run(
            [sys.executable, "-m", "tests.support.cli_with_fake", "ingest", str(ARTICLES), "-q"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert ingest.returncode == 0, ingest.stderr
        process = BotProcess(
            [sys.executable, "-m", "tests.support.cli_with_fake", "serve"], env, tmp / "bot.log"
        ).start(emulator)
        yield emulator, tmp
        assert process.stop() == 0, process.log()
        assert emulator.token not in process.log()


def test_start_replies_in_the_users_language_and_commands_are_registered(real_bot) -> None:
    emulator, _ = real_bot
    assert ask(emulator, FakeUser(201, "Олена", "uk"), "/start").text.startswith("Вітаю!")
    assert ask(emulator, FakeUser(202, "Ann", "en"), "/start").text.startswith("Hello!")
    commands = [command["command"] for command in emulator.my_commands()]
    assert {"ask", "status", "sources", "help", "start"} <= set(commands)
    assert emulator.my_commands("ru")


def test_question_gets_typing_indicator_and_answer_with_citations(real_bot) -> None:
    emulator, _ = real_bot
    user = FakeUser(203, "Ann", "en")
    mark = emulator.mark()
    emulator.send_text(user, "What happened at the talks in Istanbul?")
    answer = emulator.wait_for_reply(user.id, since=mark, timeout=30)
    kinds = [event.kind for event in emulator.events(chat_id=user.id, since=mark)]
    assert kinds.index("chat_action") < kinds.index("message")
    assert "[1]" in answer.text
    links = [e["url"] for e in answer.message.get("entities", []) if e["type"] == "text_link"]
    assert links and all(link.startswith("https://") for link in links)
    buttons = answer.message["reply_markup"]["inline_keyboard"]
    assert [button["callback_data"][:5] for row in buttons for button in row] == [
        "fb:h:",
        "fb:n:",
        "fb:r:",
    ]


def test_group_chat_answers_when_addressed_and_is_quiet_otherwise(real_bot) -> None:
    emulator, _ = real_bot
    group = group_chat(-100200, "Observers")
    user = FakeUser(204, "Max", "en")
    mark = emulator.mark()
    emulator.send_text(user, "Anyone following the Istanbul talks?", chat=group)
    assert_silent(emulator, group["id"], mark)

    mention = ask(
        emulator, user, f"@{emulator.bot_username} what happened in Istanbul?", chat=group
    )
    assert "[1]" in mention.text
    assert mention.message["reply_to_message"]["from"]["id"] == user.id
    follow_up = ask(
        emulator, FakeUser(205, "Lena", "en"), "and the prisoners?", chat=group,
        reply_to=mention.message["message_id"],
    )  # fmt: skip
    assert follow_up.message["reply_to_message"]["from"]["id"] == 205


def test_feedback_press_reaches_the_database(real_bot) -> None:
    emulator, tmp = real_bot
    user = FakeUser(206, "Ann", "en")
    answer = ask(emulator, user, "What did the delegations agree about prisoners?")
    data = answer.message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    answer_uid = data.split(":", 2)[2]
    mark = emulator.mark()
    emulator.press_button(user, answer.message, data)
    emulator.wait_for("callback_answer", since=mark, timeout=15)
    edit = emulator.wait_for("edit_markup", user.id, since=mark, timeout=15)[0]
    assert edit.message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "fb:done"
    rows: list[tuple[str, str]] = []
    deadline = time.monotonic() + 20  # the log store writes in the background
    while not rows and time.monotonic() < deadline:
        with sqlite3.connect(tmp / "negobot.db") as database:
            rows = database.execute(
                "SELECT answer_uid, kind FROM feedback WHERE answer_uid = ?", (answer_uid,)
            ).fetchall()
        time.sleep(0.2)
    assert rows == [(answer_uid, "helpful")]


def _rows(tmp: Path, query: str, *params: object, want: int = 1) -> list[tuple]:
    """Poll the SQLite log until the background writer has stored `want` rows."""
    rows: list[tuple] = []
    deadline = time.monotonic() + 20
    while len(rows) < want and time.monotonic() < deadline:
        with sqlite3.connect(tmp / "negobot.db") as database:
            rows = database.execute(query, params).fetchall()
        time.sleep(0.2)
    return rows


def test_a_dialogue_with_follow_ups_is_read_in_context(real_bot) -> None:
    emulator, tmp = real_bot
    user = FakeUser(211, "Ann", "en")
    first = "What did the delegations agree about prisoners?"
    assert "[1]" in ask(emulator, user, first).text
    follow_up = ask(emulator, user, "and when was that?")
    assert follow_up.text.startswith(f"(about: {first})")
    uid = follow_up.message["reply_markup"]["inline_keyboard"][0][0]["callback_data"][5:]
    [(asked, resolved)] = _rows(
        tmp, "SELECT question, resolved_question FROM answer_log WHERE uid = ?", uid
    )
    assert (asked, resolved) == (
        "and when was that?",
        "and when was that? delegations agree prisoners",
    )
    # Someone else, with nothing asked before, is asked for the whole question.
    alone = ask(emulator, FakeUser(212, "Bo", "en"), "and when was that?")
    assert alone.text.startswith("Could you ask the whole question? e.g.")


def test_a_reply_in_a_group_is_read_against_the_answer_replied_to(real_bot) -> None:
    emulator, tmp = real_bot
    group = group_chat(-100300, "Readers")
    first = "what happened in Istanbul?"
    answer = ask(
        emulator, FakeUser(213, "Max", "en"), f"@{emulator.bot_username} {first}", chat=group
    )
    reply = ask(
        emulator, FakeUser(214, "Lena", "en"), "How many prisoners were actually exchanged?",
        chat=group, reply_to=answer.message["message_id"],
    )  # fmt: skip
    assert reply.text.startswith(f"(about: {first})")
    assert reply.message["reply_to_message"]["from"]["id"] == 214
    uid = reply.message["reply_markup"]["inline_keyboard"][0][0]["callback_data"][5:]
    [(resolved,)] = _rows(tmp, "SELECT resolved_question FROM answer_log WHERE uid = ?", uid)
    assert resolved == "How many prisoners were actually exchanged? Istanbul"


def test_in_a_group_every_member_votes_and_may_change_their_vote(real_bot) -> None:
    emulator, tmp = real_bot
    group = group_chat(-100400, "Voters")
    answer = ask(
        emulator, FakeUser(215, "Max", "en"), "/ask What was agreed about prisoners?", chat=group
    )
    helpful, not_helpful = (
        b["callback_data"] for b in answer.message["reply_markup"]["inline_keyboard"][0]
    )
    uid = helpful[5:]
    for user, data in [(215, not_helpful), (216, helpful), (215, helpful)]:
        mark = emulator.mark()
        emulator.press_button(FakeUser(user, "U", "en"), answer.message, data)
        emulator.wait_for("callback_answer", since=mark, timeout=15)
    time.sleep(1.0)
    rows = _rows(tmp, "SELECT kind FROM feedback WHERE answer_uid = ? ORDER BY kind", uid, want=2)
    # Max's changed vote replaced his first one: two people, two helpful votes.
    assert rows == [("helpful",), ("helpful",)]


def test_a_photo_caption_is_answered_as_the_question(real_bot) -> None:
    emulator, _ = real_bot
    user = FakeUser(217, "Ann", "en")
    mark = emulator.mark()
    emulator.send_media(user, "photo", caption="What happened at the talks in Istanbul?")
    answer = emulator.wait_for_reply(user.id, since=mark, timeout=30)
    assert "[1]" in answer.text and "reply_markup" in answer.message


def test_rate_limited_user_is_told_to_slow_down(real_bot) -> None:
    emulator, _ = real_bot
    user = FakeUser(207, "Ivan", "ru")
    for _ in range(RATE_LIMIT):
        answered = ask(emulator, user, "Что решили в Стамбуле?")
        assert "reply_markup" in answered.message  # a logged answer, not a refusal
    reply = ask(emulator, user, "Ещё вопрос о переговорах?")
    assert reply.text.startswith("Вы спрашиваете слишком быстро")


def test_non_text_messages_get_a_polite_reply(real_bot) -> None:
    emulator, _ = real_bot
    user = FakeUser(208, "Ann", "en")
    for kind in ("sticker", "photo", "voice"):
        mark = emulator.mark()
        emulator.send_media(user, kind)
        reply = emulator.wait_for_reply(user.id, since=mark, timeout=15)
        assert reply.text == "Sorry, I can only read text. Please type your question."


# --- FakeService: deterministic failures and modes -------------------------------------------


@pytest.fixture(scope="module")
def fake_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BotApiEmulator, Path]]:
    tmp = tmp_path_factory.mktemp("fake_bot")
    with BotApiEmulator() as emulator:
        env = bot_env(emulator, tmp, NEGOBOT_FAKE_FEEDBACK_LOG=str(tmp / "feedback.jsonl"))
        process = BotProcess(fake_bot_command(), env, tmp / "bot.log").start(emulator)
        yield emulator, tmp
        assert process.stop() == 0, process.log()


def test_bot_stays_up_after_a_handler_error(fake_bot) -> None:
    emulator, tmp = fake_bot
    user = FakeUser(301, "Ann", "en")
    failure = ask(emulator, user, "boom")
    assert failure.text == "Sorry, something went wrong on my side. Please try again later."
    assert "simulated failure in the answer pipeline" in (tmp / "bot.log").read_text()
    assert "You asked: are you still there?" in ask(emulator, user, "are you still there?").text


def test_feedback_press_is_recorded_by_the_service(fake_bot) -> None:
    emulator, tmp = fake_bot
    user = FakeUser(302, "Олена", "uk")
    answer = ask(emulator, user, "Що вирішили?")
    data = answer.message["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    mark = emulator.mark()
    emulator.press_button(user, answer.message, data)
    acknowledgement = emulator.wait_for("callback_answer", since=mark, timeout=15)[0]
    assert acknowledgement.payload["text"] == "Дякуємо — модератор перевірить цю відповідь."
    assert (
        (tmp / "feedback.jsonl")
        .read_text()
        .strip()
        .endswith(f'"kind": "report", "user_id": {user.id}}}')
    )


def test_sigterm_stops_the_bot_gracefully(tmp_path: Path) -> None:
    with BotApiEmulator() as emulator:
        process = BotProcess(
            fake_bot_command(), bot_env(emulator, tmp_path), tmp_path / "bot.log"
        ).start(emulator)
        assert "You asked: hi" in ask(emulator, FakeUser(303), "hi").text
        assert process.stop() == 0
        assert "bot stopped" in process.log()
        assert emulator.token not in process.log()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_webhook_mode_receives_updates_with_the_secret(tmp_path: Path) -> None:
    port = free_port()
    with BotApiEmulator() as emulator:
        env = bot_env(
            emulator,
            tmp_path,
            NEGOBOT_TELEGRAM_MODE="webhook",
            NEGOBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
            NEGOBOT_WEBHOOK_LISTEN="127.0.0.1",
            NEGOBOT_WEBHOOK_PORT=str(port),
            NEGOBOT_WEBHOOK_SECRET="e2e-webhook-secret",
        )
        process = BotProcess(fake_bot_command(), env, tmp_path / "bot.log").start(emulator)
        try:
            reply = ask(emulator, FakeUser(304, "Ann", "en"), "/start")
            assert reply.text.startswith("Hello!")
            forged = httpx.post(
                f"http://127.0.0.1:{port}/telegram/hook",
                json={"update_id": 999, "message": {}},
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            assert forged.status_code == 403
        finally:
            assert process.stop() == 0, process.log()
        assert "e2e-webhook-secret" not in process.log()


# --- the emulator's own protocol --------------------------------------------------------------


def test_emulator_speaks_the_bot_api_error_protocol() -> None:
    with BotApiEmulator() as emulator:
        base = f"http://127.0.0.1:{emulator.port}"
        wrong = httpx.post(f"{base}/bot999:nope/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        unknown = httpx.post(f"{emulator.base_url}{emulator.token}/noSuchMethod")
        assert unknown.status_code == 404 and unknown.json()["ok"] is False
        me = httpx.get(f"{emulator.base_url}{emulator.token}/getMe").json()
        assert me["ok"] and me["result"]["is_bot"] is True

        user = FakeUser(401)
        emulator.send_text(user, "/start")
        emulator.send_text(user, "second")
        url = f"{emulator.base_url}{emulator.token}"
        first = httpx.post(f"{url}/getUpdates", data={"limit": "1"}).json()["result"]
        assert len(first) == 1 and first[0]["message"]["entities"][0]["type"] == "bot_command"
        rest = httpx.post(f"{url}/getUpdates", json={"offset": first[0]["update_id"] + 1})
        assert [u["message"]["text"] for u in rest.json()["result"]] == ["second"]
        started = time.monotonic()
        empty = httpx.post(
            f"{url}/getUpdates", json={"offset": rest.json()["result"][0]["update_id"] + 1,
                                       "timeout": 1}
        )  # fmt: skip
        assert empty.json()["result"] == [] and time.monotonic() - started >= 0.9

        bad_html = httpx.post(
            f"{url}/sendMessage",
            data={"chat_id": "401", "text": "<b>unclosed & raw", "parse_mode": "HTML"},
        )
        assert bad_html.status_code == 400
        assert bad_html.json()["description"].startswith("Bad Request: can't parse entities")
        no_chat = httpx.post(f"{url}/sendMessage", json={"chat_id": 5, "text": "hi"})
        assert no_chat.json()["description"] == "Bad Request: chat not found"
