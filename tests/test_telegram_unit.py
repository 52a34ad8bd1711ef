"""Unit tests of the Telegram front end: Update objects fed to the application, no network.

Bot API calls go through an in-process request object to the emulator's method logic (no
sockets), so each test sees exactly what the bot would have sent to Telegram.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest

from bot import i18n
from bot.answers.answer_types import Answer, Citation
from bot.config import Settings
from bot.i18n import pick_language, text
from bot.telegram.app import build_application, register_commands
from bot.telegram.keyboards import (
    DONE_DATA,
    feedback_data,
    feedback_keyboard,
    parse_feedback_data,
)
from bot.telegram.messages import (
    MESSAGE_LIMIT,
    format_answer,
    plain_to_html,
    split_plain_text,
)
from bot.telegram.ratelimit import SlidingWindowRateLimiter
from tests.botapi_emulator import (
    FakeUser,
    group_chat,
    parse_html,
    utf16_length,
)
from tests.support.fake_service import CITATIONS, FakeService
from tests.support.telegram_app import ADMIN, BotUnderTest, make_bot, sent

ANNA = FakeUser(101, "Anna", "en")
OLENA = FakeUser(102, "Олена", "uk")
IVAN = FakeUser(103, "Иван", "ru-RU")
GROUP = group_chat(-1001, "Peace watchers")


@pytest.fixture
async def bot():
    under_test = await make_bot()
    yield under_test
    await under_test.app.shutdown()


# --- formatting -----------------------------------------------------------------------------


def make_answer(answer_text: str, **fields: Any) -> Answer:
    values: dict[str, Any] = {
        "question": "q",
        "text": answer_text,
        "language": "en",
        "abstained": False,
        "sources": list(CITATIONS),
        "as_of": date(2025, 5, 17),
        "log_id": "abc123",
    }
    values.update(fields)
    return Answer(**values)


def test_answer_html_escapes_text_titles_and_links() -> None:
    parts = format_answer(make_answer("Is 1 < 2 & <script>alert(1)</script>? Yes [1]."))
    assert len(parts) == 1
    html = parts[0]
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Talks in Istanbul &lt;live&gt; &amp; updates" in html
    assert '<a href="https://example.org/news?id=1&amp;lang=en">' in html
    plain, entities = parse_html(html)  # Telegram would accept it
    assert "Is 1 < 2 & <script>alert(1)</script>? Yes [1]." in plain
    assert "[1] Talks in Istanbul <live> & updates — Example Wire, 2025-05-16" in plain
    assert "[2] Prisoner exchange agreed — Daily Example, 2025-05-17" in plain
    # "As of" belongs to the answer's own text (status answers only), never added a second time.
    assert "As of" not in plain
    links = [entity["url"] for entity in entities if entity["type"] == "text_link"]
    assert links == ["https://example.org/news?id=1&lang=en", "https://example.com/exchange"]


def test_answer_uses_answer_language_for_labels() -> None:
    html = format_answer(make_answer("Сторони домовилися [1].", language="uk"), "en")[0]
    assert "<b>Джерела</b>" in html and "Станом на" not in html


def test_abstention_without_sources_has_no_source_list() -> None:
    html = format_answer(make_answer("The library does not say.", sources=[], as_of=None))[0]
    assert html == "The library does not say."


def test_non_http_links_are_not_linked() -> None:
    odd = Citation(1, "Title", "Src", date(2025, 1, 2), "javascript:alert(1)", 0.5, "t")
    html = format_answer(make_answer("x [1]", sources=[odd]))[0]
    assert "<a " not in html and "[1] Title — Src, 2025-01-02" in html


@pytest.mark.parametrize("unit", ["Ceasefire & talks < soon. ", "Мир 🕊️ близько! ", "a&b "])
def test_long_answers_split_into_valid_messages_without_losing_text(unit: str) -> None:
    body = unit * 1500
    parts = format_answer(make_answer(body))
    assert len(parts) >= 2
    plain_parts = []
    for part in parts:
        assert utf16_length(part) <= MESSAGE_LIMIT
        plain, _ = parse_html(part)
        plain_parts.append(plain)
    joined = " ".join(plain_parts)
    assert joined.count(unit.strip()) == 1500
    assert "[2] Prisoner exchange agreed" in plain_parts[-1]


def test_unbroken_text_is_cut_between_characters_not_inside_escapes() -> None:
    pieces = split_plain_text("&" * 3000, limit=MESSAGE_LIMIT)
    assert "".join(pieces) == "&" * 3000
    assert all(utf16_length(piece.replace("&", "&amp;")) <= MESSAGE_LIMIT for piece in pieces)
    assert len(pieces) == 4  # 15,000 escaped characters


def test_plain_summaries_are_escaped() -> None:
    assert plain_to_html("Outlets: A & B <2025>") == ["Outlets: A &amp; B &lt;2025&gt;"]


def test_language_choice() -> None:
    assert pick_language("uk") == "uk"
    assert pick_language("ru-RU") == "ru"
    assert pick_language("de") == "en"
    assert pick_language(None) == "en"
    assert text("ru", "slow_down", seconds=5).endswith("через 5 с.")


# --- keyboards and rate limit ---------------------------------------------------------------


def test_feedback_callback_data_round_trips() -> None:
    assert parse_feedback_data(feedback_data("report", "u" * 32)) == ("report", "u" * 32)
    assert parse_feedback_data(feedback_data("not_helpful", "x1")) == ("not_helpful", "x1")
    for junk in (None, "", "fb:x:1", "fb:h:", "other:h:1", DONE_DATA):
        assert parse_feedback_data(junk) is None


def test_feedback_keyboard_needs_a_log_id_that_fits() -> None:
    assert feedback_keyboard(None, "en") is None
    assert feedback_keyboard("u" * 80, "en") is None  # would exceed 64 bytes of callback data
    keyboard = feedback_keyboard("u" * 32, "en")
    assert keyboard is not None
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert data == ["fb:h:" + "u" * 32, "fb:n:" + "u" * 32, "fb:r:" + "u" * 32]


def test_sliding_window_rate_limit() -> None:
    now = [100.0]
    limiter = SlidingWindowRateLimiter(2, 60, clock=lambda: now[0])
    assert limiter.try_acquire(1) == 0
    now[0] = 110.0
    assert limiter.try_acquire(1) == 0
    assert limiter.try_acquire(1) == pytest.approx(50.0)  # the first one leaves the window at 160
    assert limiter.try_acquire(2) == 0  # other users are not affected
    now[0] = 160.0
    assert limiter.try_acquire(1) == 0
    assert SlidingWindowRateLimiter.seconds_to_show(0.2) == 1
    with pytest.raises(ValueError, match="at least 1"):
        SlidingWindowRateLimiter(0)


# --- the application ------------------------------------------------------------------------


async def test_start_speaks_the_users_language(bot: BotUnderTest) -> None:
    for user, expected in ((OLENA, "Вітаю!"), (IVAN, "Здравствуйте!"), (ANNA, "Hello!")):
        replies = sent(await bot.say(user, "/start"))
        assert len(replies) == 1 and replies[0].text.startswith(expected)
    german = FakeUser(104, "Hans", "de")
    assert sent(await bot.say(german, "/start"))[0].text.startswith("Hello!")


async def test_commands_are_registered_per_language(bot: BotUnderTest) -> None:
    await register_commands(bot.app)
    english = [command["command"] for command in bot.emulator.my_commands()]
    assert english == [
        "ask",
        "status",
        "sources",
        "follow",
        "unfollow",
        "following",
        "digest",
        "help",
        "start",
    ]
    assert bot.emulator.my_commands("uk")[0]["description"] == "Поставити запитання"
    admin_scope = {"type": "chat", "chat_id": ADMIN.id}
    assert "reindex" in [c["command"] for c in bot.emulator.my_commands("", admin_scope)]


async def test_private_question_gets_typing_then_cited_answer_with_buttons(
    bot: BotUnderTest,
) -> None:
    events = await bot.say(ANNA, "What was agreed in <Istanbul>?")
    assert [event.kind for event in events] == ["chat_action", "message"]
    assert events[0].payload["action"] == "typing"
    answer = events[1]
    assert answer.payload["parse_mode"] == "HTML"
    assert "You asked: What was agreed in <Istanbul>?" in answer.text
    assert "[1] Talks in Istanbul <live> & updates" in answer.text
    buttons = answer.message["reply_markup"]["inline_keyboard"]
    assert buttons[0][0]["callback_data"] == "fb:h:fake00000001"
    asked = bot.service.asked[0]
    assert asked["question"] == "What was agreed in <Istanbul>?"
    assert (asked["front_end"], asked["chat_id"], asked["chat_type"]) == (
        "telegram",
        101,
        "private",
    )
    assert (asked["user_id"], asked["user_language"]) == (101, "en")


async def test_group_answers_only_when_addressed(bot: BotUnderTest) -> None:
    name = bot.emulator.bot_username
    assert await bot.say(ANNA, "what about the ceasefire?", chat=GROUP) == []
    assert await bot.say(ANNA, "/ask@some_other_bot what now?", chat=GROUP) == []

    replies = sent(await bot.say(ANNA, f"@{name} what about the ceasefire?", chat=GROUP))
    assert "You asked: what about the ceasefire?" in replies[0].text
    assert replies[0].message["reply_to_message"]["from"]["id"] == ANNA.id  # quotes the asker

    replies = sent(await bot.say(ANNA, f"/ask@{name} and the prisoners?", chat=GROUP))
    assert "You asked: and the prisoners?" in replies[0].text

    replies = sent(await bot.say(ANNA, "/ask who mediates?", chat=GROUP))
    assert "You asked: who mediates?" in replies[0].text

    bot_message_id = replies[0].message["message_id"]
    follow_up = await bot.say(OLENA, "а що далі?", chat=GROUP, reply_to=bot_message_id)
    assert "You asked: а що далі?" in sent(follow_up)[0].text
    assert [q["question"] for q in bot.service.asked][-1] == "а що далі?"
    assert bot.service.asked[-1]["chat_type"] == "supergroup"


async def test_ask_without_text_explains_and_ask_as_reply_uses_that_message(
    bot: BotUnderTest,
) -> None:
    replies = sent(await bot.say(ANNA, "/ask", chat=GROUP))
    assert replies[0].text == text("en", "empty")
    original = bot.emulator.send_text(OLENA, "Is there a ceasefire?", chat=GROUP)
    await bot.feed()
    replies = sent(await bot.say(ANNA, "/ask", chat=GROUP, reply_to=original["message_id"]))
    assert "You asked: Is there a ceasefire?" in replies[0].text


async def test_non_text_empty_and_too_long_messages_get_polite_replies(bot: BotUnderTest) -> None:
    for kind in ("sticker", "photo", "voice"):
        bot.emulator.send_media(OLENA, kind)
        assert sent(await bot.feed())[0].text == text("uk", "not_text")
    bot.emulator.send_media(ANNA, "sticker", chat=GROUP)
    assert await bot.feed() == []  # not addressed to the bot in a group
    assert sent(await bot.say(ANNA, "   \n "))[0].text == text("en", "empty")
    too_long = sent(await bot.say(ANNA, "why? " * 60))[0].text
    assert too_long == i18n.text("en", "too_long", length=299, limit=200)
    assert bot.service.asked == []


async def test_rate_limited_user_is_asked_to_slow_down(bot: BotUnderTest) -> None:
    for number in range(5):
        assert "You asked" in sent(await bot.say(IVAN, f"вопрос {number}"))[0].text
    reply = sent(await bot.say(IVAN, "ещё вопрос"))[0].text
    assert reply.startswith("Вы спрашиваете слишком быстро")
    assert "через 60 с." in reply or "через 59 с." in reply
    assert len(bot.service.asked) == 5
    assert "You asked" in sent(await bot.say(ANNA, "another user"))[0].text


async def test_feedback_press_is_recorded_once_and_buttons_become_thanks(
    bot: BotUnderTest,
) -> None:
    answer = sent(await bot.say(OLENA, "Що вирішили?"))[0]
    data = answer.message["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    bot.emulator.press_button(OLENA, answer.message, data)
    events = await bot.feed()
    assert bot.service.feedback_calls == [("fake00000001", "not_helpful", OLENA.id)]
    acknowledgements = [event for event in events if event.kind == "callback_answer"]
    assert acknowledgements[0].payload["text"] == "Дякуємо за відгук!"
    edited = next(event for event in events if event.kind == "edit_markup").message
    assert edited["reply_markup"]["inline_keyboard"] == [
        [{"text": "✓ Дякуємо за відгук", "callback_data": DONE_DATA}]
    ]
    # The thank-you button records nothing more.
    current = bot.emulator.message(answer.chat_id, answer.message["message_id"])
    bot.emulator.press_button(ANNA, current, DONE_DATA)
    events = await bot.feed()
    assert events[0].payload["text"] == "Your feedback is already recorded."
    assert len(bot.service.feedback_calls) == 1


async def test_report_press_thanks_for_the_report(bot: BotUnderTest) -> None:
    answer = sent(await bot.say(ANNA, "What now?"))[0]
    bot.emulator.press_button(ANNA, answer.message, "fb:r:fake00000001")
    events = await bot.feed()
    assert bot.service.feedback_calls == [("fake00000001", "report", ANNA.id)]
    assert events[0].payload["text"].startswith("Thank you — a moderator")
    [prompt] = sent(events)
    assert prompt.text == text("en", "report_what")
    assert prompt.payload["reply_markup"] == {"force_reply": True, "selective": True}
    # The reply to the prompt is the report's note, not a question.
    reply = sent(await bot.say(ANNA, "The date is wrong", reply_to=prompt.message["message_id"]))
    assert [event.text for event in reply] == [text("en", "report_noted")]
    assert bot.service.report_notes == [("fake00000001", "The date is wrong", ANNA.id)]
    assert len(bot.service.asked) == 1


async def test_handler_error_is_reported_to_user_and_bot_keeps_working(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.telegram.guards"):
        replies = sent(await bot.say(ANNA, "boom"))
    assert replies[-1].text == text("en", "error")
    assert "simulated failure in the answer pipeline" in caplog.text
    assert "You asked: still there?" in sent(await bot.say(ANNA, "still there?"))[0].text


async def test_error_logs_never_contain_the_token(caplog: pytest.LogCaptureFixture) -> None:
    class LeakyService(FakeService):
        def ask(self, question: str, **kwargs: Any) -> Answer:
            raise RuntimeError(f"cannot reach http://x/bot{self.token}/sendMessage")

    service = LeakyService()
    under_test = await make_bot(service)
    service.token = under_test.emulator.token
    try:
        with caplog.at_level(logging.ERROR):
            replies = sent(await under_test.say(ANNA, "anything"))
        assert replies[0].text == text("en", "error")
        assert "cannot reach http://x/bot***/sendMessage" in caplog.text
        assert under_test.emulator.token not in caplog.text
    finally:
        await under_test.app.shutdown()


async def test_feedback_failure_lets_the_user_press_again(bot: BotUnderTest) -> None:
    answer = sent(await bot.say(ANNA, "What now?"))[0]
    bot.service._issued.clear()  # the store no longer knows this answer
    bot.emulator.press_button(ANNA, answer.message, "fb:h:fake00000001")
    events = await bot.feed()
    assert events[0].kind == "callback_answer"
    assert events[0].payload["text"] == text("en", "error")
    assert ("fake00000001", ANNA.id, "vote") not in bot.app.bot_data["negobot"].pressed_answers


async def test_status_sources_and_help(bot: BotUnderTest) -> None:
    overview = sent(await bot.say(ANNA, "/status"))[0]
    assert overview.text.splitlines() == [
        "• Ukraine – Russia [russia-ukraine] — newest 2025-05-17",
        "• Israel – Hamas [hamas-israel] — newest 2025-10-10",
    ]
    status = sent(await bot.say(ANNA, "/status hamas-israel"))[0]
    assert "Open: a ceasefire." in status.text and "[1] Talks in Istanbul" in status.text
    assert "reply_markup" not in status.message  # nothing logged, so nothing to rate
    unknown = sent(await bot.say(ANNA, "/status atlantis"))[0]
    assert unknown.text.startswith("No negotiation in the library matches “atlantis”.")
    assert bot.service.status_calls == [None, "hamas-israel", "atlantis"]
    sources = sent(await bot.say(ANNA, "/sources"))[0]
    assert sources.text.startswith("2 outlets: Example Wire, Daily Example.")
    assert "• Israel – Hamas [hamas-israel]" in sources.text.splitlines()
    assert sent(await bot.say(IVAN, "/help"))[0].text == text("ru", "help")
    assert sent(await bot.say(ANNA, "/nonsense"))[0].text == text("en", "help")


async def test_admin_commands_only_for_admins(bot: BotUnderTest) -> None:
    assert sent(await bot.say(ANNA, "/stats"))[0].text == text("en", "admin_only")
    assert sent(await bot.say(ANNA, "/reindex"))[0].text == text("en", "admin_only")
    assert bot.service.reindex_calls == 0
    await bot.say(ANNA, "a question")
    assert sent(await bot.say(ADMIN, "/stats"))[0].text.startswith("Questions today: 1.")
    replies = sent(await bot.say(ADMIN, "/reindex"))
    assert [reply.text for reply in replies] == [
        text("en", "reindex_started"),
        "Re-indexed: 0 new articles, 2 in total.",
    ]
    assert bot.service.reindex_calls == 1


async def test_allowed_chats_restrict_who_is_served() -> None:
    under_test = await make_bot(allowed_chat_ids=[GROUP["id"]])
    try:
        assert sent(await under_test.say(ANNA, "hello?"))[0].text == text("en", "not_allowed")
        other_group = group_chat(-2002, "Elsewhere")
        name = under_test.emulator.bot_username
        assert await under_test.say(ANNA, f"@{name} hi", chat=other_group) == []
        assert (
            "You asked: hi" in sent(await under_test.say(ANNA, f"@{name} hi", chat=GROUP))[0].text
        )
        assert "You asked" in sent(await under_test.say(ADMIN, "admin question"))[0].text
    finally:
        await under_test.app.shutdown()


async def test_very_long_answer_is_split_with_buttons_on_the_last_part() -> None:
    class Verbose(FakeService):
        def ask(self, question: str, **kwargs: Any) -> Answer:
            answer = super().ask(question, **kwargs)
            answer.text = "The talks continue. " * 600
            return answer

    under_test = await make_bot(Verbose())
    try:
        replies = sent(await under_test.say(ANNA, "tell me everything"))
        assert len(replies) >= 3
        assert all("reply_markup" not in reply.message for reply in replies[:-1])
        assert "reply_markup" in replies[-1].message
        assert sum(reply.text.count("The talks continue.") for reply in replies) == 600
    finally:
        await under_test.app.shutdown()


def test_missing_token_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="NEGOBOT_TELEGRAM_TOKEN is not set"):
        build_application(Settings(_env_file=None, telegram_token=None), FakeService())


async def test_in_a_group_each_member_votes_once_and_may_change_their_vote(
    bot: BotUnderTest,
) -> None:
    answer = sent(await bot.say(ANNA, "/ask What was agreed?", chat=GROUP))[0]
    keyboard = answer.message["reply_markup"]["inline_keyboard"]
    helpful, not_helpful = (button["callback_data"] for button in keyboard[0])
    bot.emulator.press_button(OLENA, answer.message, not_helpful)
    first = await bot.feed()
    assert first[0].payload["text"] == "Дякуємо за відгук!"
    # The buttons stay for the rest of the group.
    assert not [event for event in first if event.kind == "edit_markup"]
    bot.emulator.press_button(ANNA, answer.message, helpful)
    assert (await bot.feed())[0].payload["text"] == "Thank you for your feedback!"
    bot.emulator.press_button(ANNA, answer.message, helpful)
    assert (await bot.feed())[0].payload["text"] == "Your feedback is already recorded."
    bot.emulator.press_button(OLENA, answer.message, helpful)
    assert (await bot.feed())[0].payload["text"] == "Ваш голос змінено — дякуємо!"
    assert bot.service.feedback_calls == [
        ("fake00000001", "not_helpful", OLENA.id),
        ("fake00000001", "helpful", ANNA.id),
        ("fake00000001", "helpful", OLENA.id),
    ]


async def test_a_photo_caption_is_the_question(bot: BotUnderTest) -> None:
    bot.emulator.send_media(ANNA, "photo", caption="What was agreed in Istanbul?")
    assert "You asked: What was agreed in Istanbul?" in sent(await bot.feed())[0].text
    bot.emulator.send_media(ANNA, "document", chat=GROUP, caption="What was agreed?")
    assert await bot.feed() == []  # in a group, only a caption addressed to the bot
    bot.emulator.send_media(
        ANNA, "photo", chat=GROUP, caption=f"@{bot.app.bot.username} Who met in Istanbul?"
    )
    assert "You asked: Who met in Istanbul?" in sent(await bot.feed())[0].text


async def test_a_flood_gets_one_slow_down_and_status_and_sources_are_not_limited(
    bot: BotUnderTest,
) -> None:
    for number in range(5):
        sent(await bot.say(IVAN, f"вопрос {number}"))
    replies = [sent(await bot.say(IVAN, f"ещё {number}")) for number in range(4)]
    assert replies[0][0].text.startswith("Вы спрашиваете слишком быстро")
    assert replies[1:] == [[], [], []]
    assert "Open: a ceasefire." in sent(await bot.say(IVAN, "/status hamas-israel"))[0].text
    assert "2 outlets" in sent(await bot.say(IVAN, "/sources"))[0].text
    assert len(bot.service.asked) == 5


async def test_emoji_or_punctuation_alone_is_asked_for_in_words(bot: BotUnderTest) -> None:
    for message in ["???", "👍🙏"]:
        assert sent(await bot.say(ANNA, message))[0].text == "Please ask a question in words."
    assert bot.service.asked == []


async def test_questions_carry_the_conversation_and_the_answer_replied_to(
    bot: BotUnderTest,
) -> None:
    answer = sent(await bot.say(ANNA, "/ask What was agreed?", chat=GROUP))[0]
    sent(await bot.say(OLENA, "and the bodies?", reply_to=answer.message["message_id"], chat=GROUP))
    sent(await bot.say(ANNA, "Who met?"))
    first, reply, private = bot.service.asked
    assert first["conversation"] == ("group", GROUP["id"], ANNA.id, None)
    assert first["reply_to"] is None
    assert reply["conversation"] == ("group", GROUP["id"], OLENA.id, None)
    assert reply["reply_to"] == "fake00000001"
    assert private["conversation"] == ("chat", ANNA.id)
