"""Daily digests on SQLite and PostgreSQL: one message per chat and day, only when there is news."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.alerts.compose import drafts_for
from bot.alerts.database import AlertDatabase
from bot.alerts.delivery import alert_keyboard
from bot.alerts.digest import DigestDraft, clock_time, minute_of_day, queue_due_digests
from bot.config import Settings
from bot.logstore.alert_models import DIGEST, EVERYTHING
from bot.logstore.crud import digests, outbox
from bot.logstore.crud import subscriptions as crud
from bot.profile import DEFAULT_PROFILE, activate, load_profile
from index.store import load_snapshot
from tests.support.alerts import LATER, add_later_reports, mixed_library

MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
EARLY = datetime(2026, 12, 7, 7, 59, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)


@pytest.fixture
def library(tmp_path: Path, database_url: str) -> Iterator[tuple[Settings, Path, AlertDatabase]]:
    """The mixed library indexed, and the log database opened (so an ingest queues alerts)."""
    settings, articles = mixed_library(tmp_path, database_url)
    database = AlertDatabase(database_url)
    yield settings, articles, database
    database.close()
    activate(load_profile(DEFAULT_PROFILE))


def _digest_on(database: AlertDatabase, chat_id: int, track: str, language: str = "en") -> None:
    with database.session() as session:
        crud.follow(session=session, chat_id=chat_id, track_id=track, language=language)
        digests.start_digest(session=session, chat_id=chat_id, minute=8 * 60, language=language)


def _claimed(database: AlertDatabase) -> list[outbox.ClaimedAlert]:
    with database.session() as session:
        return outbox.claim(session=session, limit=100)


def test_a_digest_chat_gets_one_message_with_each_tracks_news_instead_of_alerts(library) -> None:
    settings, articles, database = library
    _digest_on(database, 1, EVERYTHING)
    with database.session() as session:
        crud.follow(session=session, chat_id=2, track_id=EVERYTHING, language="en")
    report = add_later_reports(settings, articles)
    assert set(report.tracks_added) == LATER
    # The chat taking the digest gets no alert now; the other chat gets its two.
    alerts = _claimed(database)
    assert sorted((alert.chat_id, alert.track_id) for alert in alerts) == [
        (2, "china-united-states"),
        (2, "dr-congo-rwanda"),
    ]
    assert queue_due_digests(database, settings.index_dir, EARLY) == 0  # not its time yet
    assert queue_due_digests(database, settings.index_dir, MORNING) == 1
    [digest] = _claimed(database)
    assert (digest.chat_id, digest.track_id, digest.language) == (1, DIGEST, "en")
    heading, *rest = digest.text.split("\n\n")
    assert heading == "<b>📰 Daily digest, 7 December 2026</b>"
    # Newest news first, each track written as its alert would have been.
    assert rest[0].startswith("<b>🔔 New on DR Congo – Rwanda, as of 4 December 2025:</b>")
    assert "<b>🔔 New on US–China trade, as of 30 October 2025:</b>" in digest.text
    assert digest.text.count("<b>Sources</b>") == 2 and "[1] " in digest.text
    assert [track for _, track in digest.buttons or []] == sorted(LATER, reverse=True)
    # The same day again, and the next day with nothing new: no message.
    assert queue_due_digests(database, settings.index_dir, MORNING, every=True) == 0
    assert queue_due_digests(database, settings.index_dir, NEXT_MORNING) == 0
    assert _claimed(database) == []
    with database.session() as session:
        chat = digests.digest_of(session=session, chat_id=1)
        assert chat is not None and chat.done_on == NEXT_MORNING.date()


def test_nothing_new_on_the_followed_tracks_sends_nothing(library) -> None:
    settings, articles, database = library
    _digest_on(database, 1, "hamas-israel", "uk")
    with database.session() as session:
        crud.follow(session=session, chat_id=2, track_id=EVERYTHING, language="en")
    add_later_reports(settings, articles)  # news on two other tracks only
    assert queue_due_digests(database, settings.index_dir, MORNING) == 0
    assert {alert.chat_id for alert in _claimed(database)} == {2}
    with database.session() as session:
        chat = digests.digest_of(session=session, chat_id=1)
        assert chat is not None and chat.done_on == MORNING.date()
        assert chat.covered_batch_id > 0  # the batches it skipped are not looked at again


def test_a_restart_never_sends_a_second_digest_the_same_day(library) -> None:
    settings, articles, database = library
    _digest_on(database, 1, "dr-congo-rwanda", "ru")
    add_later_reports(settings, articles)
    assert queue_due_digests(database, settings.index_dir, MORNING) == 1
    database.close()  # the bot stops; a new process opens the database afresh
    restarted = AlertDatabase(settings.database_url)
    try:
        assert queue_due_digests(restarted, settings.index_dir, MORNING) == 0
        # Even with the chat's progress lost, the sent digest of the day is on record.
        with restarted.session() as session:
            session.exec(sa.text("UPDATE chat_digest SET done_on = NULL, covered_batch_id = 0"))
            session.commit()
        assert queue_due_digests(restarted, settings.index_dir, MORNING) == 0
        [digest] = _claimed(restarted)
        assert digest.text.startswith("<b>📰 Ежедневный дайджест, 7 декабря 2026</b>")
        assert "ДР Конго" in digest.text
        # The next day is a new digest (the news is the same, the day is not).
        assert queue_due_digests(restarted, settings.index_dir, NEXT_MORNING) == 1
    finally:
        restarted.close()


def test_news_before_the_digest_was_turned_on_came_as_alerts(library) -> None:
    settings, articles, database = library
    with database.session() as session:
        crud.follow(session=session, chat_id=1, track_id=EVERYTHING, language="en")
    add_later_reports(settings, articles)
    assert len(_claimed(database)) == 2
    with database.session() as session:
        assert digests.start_digest(session=session, chat_id=1, minute=9 * 60, language="en")
        assert not digests.start_digest(session=session, chat_id=1, minute=60, language="en")
        assert digests.digest_of(session=session, chat_id=1).minute == 60  # type: ignore[union-attr]
    assert queue_due_digests(database, settings.index_dir, MORNING) == 0
    with database.session() as session:
        assert digests.stop_digest(session=session, chat_id=1)
        assert not digests.stop_digest(session=session, chat_id=1)
        assert digests.digest_takers(session=session, chat_ids=[1]) == set()


def test_a_gone_chat_loses_its_digest_and_a_migrated_one_keeps_it(library) -> None:
    _, _, database = library
    _digest_on(database, -1, EVERYTHING)
    _digest_on(database, 5, EVERYTHING)
    with database.session() as session:
        crud.move_chat(session=session, old_chat_id=-1, new_chat_id=-1001)
        crud.drop_chat(session=session, chat_id=5)
        assert digests.digest_takers(session=session, chat_ids=[-1, -1001, 5]) == {-1001}


def test_a_long_digest_keeps_to_one_message_and_names_the_rest(library) -> None:
    settings, articles, _ = library
    report = add_later_reports(settings, articles)
    snapshot = load_snapshot(settings.index_dir)
    assert snapshot is not None
    drafts = sorted(drafts_for(snapshot, report.tracks_added), key=lambda d: d.track.id)
    digest = DigestDraft(date(2026, 12, 7), drafts)
    full = digest.render("en")
    assert len(digest.shown("en")) == 2 and "More news" not in full
    short = digest.render("en", limit=len(drafts[0].render("en")) + 200)
    assert short.endswith(f"More news (/status &lt;track&gt;): {drafts[1].track.id}")
    assert len(digest.shown("en", limit=10)) == 1  # the first track always goes out


def test_digest_times_and_buttons() -> None:
    assert minute_of_day("8") == 480 and minute_of_day("08:30") == 510
    assert minute_of_day("23:59") == 1439
    assert minute_of_day("24:00") is None and minute_of_day("8:5") is None
    assert clock_time(510) == "08:30"
    assert Settings(_env_file=None).digest_time == "08:00"
    with pytest.raises(ValueError):
        Settings(_env_file=None, digest_time="25:00")
    keyboard = alert_keyboard(DIGEST, "en", [["Gaza: what's new?", "gaza"], ["x", "y" * 70]])
    assert keyboard is not None
    assert [[button.callback_data for button in row] for row in keyboard.inline_keyboard] == [
        ["al:gaza"]
    ]
