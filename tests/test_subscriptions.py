"""Subscriptions and the alert outbox on SQLite and PostgreSQL: follow, queue, claim, finish."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.alerts.database import AlertDatabase
from bot.logstore.alert_models import EVERYTHING
from bot.logstore.crud import outbox
from bot.logstore.crud import subscriptions as crud


def _db(database_url: str) -> AlertDatabase:
    return AlertDatabase(database_url)


def test_follow_unfollow_and_following(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            assert crud.follow(session=session, chat_id=1, track_id="gaza", language="en")
            assert not crud.follow(session=session, chat_id=1, track_id="gaza", language="uk")
            assert crud.follow(session=session, chat_id=1, track_id=EVERYTHING, language="en")
            assert crud.follow(session=session, chat_id=-100, track_id="gaza", language="ru")
            assert crud.following(session=session, chat_id=1) == [EVERYTHING, "gaza"]
            assert crud.unfollow(session=session, chat_id=1, track_id="gaza") == 1
            assert crud.unfollow(session=session, chat_id=1, track_id="gaza") == 0
            assert crud.following(session=session, chat_id=1) == [EVERYTHING]
            assert crud.unfollow(session=session, chat_id=1, track_id=None) == 1
            assert crud.following(session=session, chat_id=1) == []
            assert crud.following(session=session, chat_id=-100) == ["gaza"]
    finally:
        database.close()


def test_followers_count_each_chat_once_in_the_tracks_language(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            crud.follow(session=session, chat_id=1, track_id=EVERYTHING, language="en")
            crud.follow(session=session, chat_id=1, track_id="gaza", language="uk")
            crud.follow(session=session, chat_id=2, track_id=EVERYTHING, language="ru")
            crud.follow(session=session, chat_id=3, track_id="trade", language="en")
            # Chat 1 follows gaza twice (by name and through everything): one alert, in Ukrainian.
            assert crud.followers(session=session, track_id="gaza") == {1: "uk", 2: "ru"}
            assert crud.followers(session=session, track_id="trade") == {1: "en", 2: "ru", 3: "en"}
    finally:
        database.close()


def _queue(session: Session, chats: dict[int, str], key: str = "k1") -> int:
    texts = {"en": "<b>New</b> on gaza", "uk": "<b>Нове</b>: gaza"}
    return outbox.queue_batch(
        session=session,
        track_id="gaza",
        reports_key=key,
        as_of=date(2025, 10, 10),
        texts=texts,
        chats=chats,
    )


def test_the_same_reports_are_queued_once(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            assert _queue(session, {1: "en", 2: "uk"}) == 2
            assert _queue(session, {1: "en", 2: "uk", 3: "en"}) == 0
            assert _queue(session, {1: "en"}, key="k2") == 1
            assert outbox.counts(session=session) == {"pending": 3}
    finally:
        database.close()


def test_a_claim_takes_each_alert_once_and_release_gives_it_back(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            _queue(session, {1: "en", 2: "uk", 3: "de"})
            first = outbox.claim(session=session, limit=2)
            second = outbox.claim(session=session, limit=5)
            assert [alert.chat_id for alert in first] == [1, 2]
            assert [alert.chat_id for alert in second] == [3]
            assert first[1].text == "<b>Нове</b>: gaza"
            assert second[0].language == "en"  # a language without a text gets the first one
            assert outbox.claim(session=session, limit=5) == []
            outbox.finish(session=session, outbox_id=first[0].id, status="sent")
            outbox.finish(session=session, outbox_id=first[1].id, status="pending", error="x")
            outbox.release(session=session, outbox_ids=[second[0].id])
            again = outbox.claim(session=session, limit=5)
            assert sorted(alert.chat_id for alert in again) == [2, 3]
            assert {alert.chat_id: alert.attempts for alert in again} == {2: 1, 3: 0}
            assert outbox.counts(session=session) == {"sent": 1, "sending": 2}
    finally:
        database.close()


def test_stale_claims_return_to_pending(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            _queue(session, {1: "en"})
            [alert] = outbox.claim(session=session, limit=1)
            assert outbox.reclaim_stale(session=session, lease=timedelta(minutes=10)) == 0
            assert outbox.reclaim_stale(session=session, lease=timedelta(seconds=-1)) == 1
            assert [again.id for again in outbox.claim(session=session, limit=1)] == [alert.id]
    finally:
        database.close()


def test_a_gone_chat_loses_its_subscriptions_and_pending_alerts(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            crud.follow(session=session, chat_id=5, track_id="gaza", language="en")
            crud.follow(session=session, chat_id=5, track_id=EVERYTHING, language="en")
            crud.follow(session=session, chat_id=6, track_id="gaza", language="en")
            _queue(session, {5: "en", 6: "en"})
            assert crud.drop_chat(session=session, chat_id=5) == 2
            assert crud.following(session=session, chat_id=5) == []
            assert outbox.counts(session=session) == {"dropped": 1, "pending": 1}
            assert [alert.chat_id for alert in outbox.claim(session=session, limit=5)] == [6]
    finally:
        database.close()


def test_a_migrated_group_keeps_its_subscriptions_under_the_new_id(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            crud.follow(session=session, chat_id=-10, track_id="gaza", language="en")
            crud.follow(session=session, chat_id=-10, track_id="trade", language="en")
            crud.follow(session=session, chat_id=-1001, track_id="trade", language="en")
            crud.move_chat(session=session, old_chat_id=-10, new_chat_id=-1001)
            assert crud.following(session=session, chat_id=-10) == []
            assert crud.following(session=session, chat_id=-1001) == ["gaza", "trade"]
    finally:
        database.close()


def test_deleting_a_batch_deletes_its_outbox_rows(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            _queue(session, {1: "en"})
        with database.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM alert_batch"))
            left = connection.execute(sa.text("SELECT count(*) FROM alert_outbox")).scalar_one()
        assert left == 0
    finally:
        database.close()


def test_an_alert_is_not_redirected_to_a_chat_that_has_its_own(database_url: str) -> None:
    database = _db(database_url)
    try:
        with database.session() as session:
            _queue(session, {-10: "en", -1001: "en", -20: "en"})
            old, _, other = outbox.claim(session=session, limit=3)
            assert not outbox.redirect(session=session, outbox_id=old.id, chat_id=-1001)
            assert outbox.redirect(session=session, outbox_id=other.id, chat_id=-1002)
            assert [alert.chat_id for alert in outbox.claim(session=session, limit=3)] == []
            outbox.release(session=session, outbox_ids=[old.id, other.id])
            again = outbox.claim(session=session, limit=3)
            assert sorted(alert.chat_id for alert in again) == [-1002, -10]
    finally:
        database.close()
