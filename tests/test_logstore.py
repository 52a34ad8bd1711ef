"""The log store on SQLite and PostgreSQL: what is written, pseudonyms, corrections, retention."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel, select

from bot.logstore import LogStore, crud, user_key
from bot.logstore.database import alembic_config, make_engine
from bot.logstore.models import AnswerLog, Feedback
from tests.support.logstore import count_rows, log_kwargs, make_answer

SECRET = "test-secret"


@pytest.fixture
def store(database_url: str, tmp_path: Path):
    log_store = LogStore(database_url, user_key_secret=SECRET, spool_path=tmp_path / "spool.jsonl")
    yield log_store
    log_store.close()


def stored_answers(store: LogStore) -> list[AnswerLog]:
    with Session(store.engine) as session:
        return list(session.exec(select(AnswerLog).order_by(AnswerLog.id)).all())


def test_user_key_is_a_stable_keyed_hash() -> None:
    first = user_key(12345, "secret-a")
    assert first == user_key(12345, "secret-a")
    assert first != user_key(12346, "secret-a")
    assert first != user_key(12345, "secret-b")
    assert 16 <= len(first) <= 24
    assert all(character in "0123456789abcdef" for character in first)
    assert "12345" not in first


def test_answer_is_stored_with_everything_the_desk_needs(store: LogStore) -> None:
    answer = make_answer()
    uid = store.log_answer(answer, **log_kwargs())
    assert uid == answer.log_id
    assert len(uid) == 32
    assert store.flush(timeout=10)
    [row] = stored_answers(store)
    assert row.uid == uid
    assert row.front_end == "telegram"
    assert (row.chat_id, row.chat_type) == (-100123, "supergroup")
    assert row.user_key == user_key(777, SECRET)
    assert row.raw_user_id is None
    assert row.question == answer.question
    assert row.language == "en"
    assert row.answer_text == "They met in Istanbul [1]."
    assert row.abstained is False
    assert row.model == "all-MiniLM-L6-v2"
    assert row.index_version == "2025-05-17T10:00"
    assert row.latency_ms == pytest.approx(123.4)
    assert row.created_at.tzinfo is not None
    assert abs(row.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert [p["article_id"] for p in row.retrieved] == ["art-1", "art-2"]
    assert row.retrieved[0]["cosine"] == pytest.approx(0.83)
    assert row.retrieved[0]["url"] == "https://example.org/istanbul"
    assert row.retrieved[0]["published"] == "2025-05-16"
    assert row.sources[0]["number"] == 1
    assert row.sources[0]["chunk_id"] == "art-1#0"


def test_raw_user_id_is_kept_only_when_asked(database_url: str, tmp_path: Path) -> None:
    store = LogStore(
        database_url,
        user_key_secret=SECRET,
        store_raw_user_ids=True,
        spool_path=tmp_path / "spool.jsonl",
    )
    try:
        store.log_answer(make_answer(), **log_kwargs(user_id=9_000_000_001))
        store.log_answer(make_answer(), **log_kwargs(user_id=None, front_end="cli"))
        assert store.flush(timeout=10)
        with_user, without_user = stored_answers(store)
        assert with_user.raw_user_id == 9_000_000_001
        assert with_user.user_key == user_key(9_000_000_001, SECRET)
        assert without_user.raw_user_id is None
        assert without_user.user_key is None
    finally:
        store.close()


def test_same_person_gets_the_same_key_across_questions(store: LogStore) -> None:
    store.log_answer(make_answer("first?"), **log_kwargs(user_id=1))
    store.log_answer(make_answer("second?"), **log_kwargs(user_id=1))
    store.log_answer(make_answer("third?"), **log_kwargs(user_id=2))
    assert store.flush(timeout=10)
    keys = [row.user_key for row in stored_answers(store)]
    assert keys[0] == keys[1] != keys[2]


def test_numpy_scores_and_odd_values_are_stored_as_json(store: LogStore) -> None:
    answer = make_answer()
    answer.retrieved[0]["score"] = np.float32(0.5)
    answer.retrieved[1]["extra"] = (1, 2)
    store.log_answer(answer, **log_kwargs())
    assert store.flush(timeout=10)
    [row] = stored_answers(store)
    assert row.retrieved[0]["score"] == pytest.approx(0.5)
    assert row.retrieved[1]["extra"] == [1, 2]


def test_logging_never_raises_on_bad_input(store: LogStore) -> None:
    assert store.log_answer(object(), **log_kwargs())  # type: ignore[arg-type]
    store.log_feedback("no-such-answer", "helpful", user_id=1)
    store.log_feedback("whatever", "love-it", user_id=1)
    assert store.flush(timeout=10)
    assert stored_answers(store) == []
    assert count_rows(store.database_url, "feedback") == 0


def test_feedback_rows_are_linked_to_the_answer(store: LogStore) -> None:
    uid = store.log_answer(make_answer(), **log_kwargs())
    store.log_feedback(uid, "helpful", user_id=5)
    store.log_feedback(uid, "report", user_id=6)
    assert store.flush(timeout=10)
    with Session(store.engine) as session:
        presses = crud.feedback_for(session=session, answer_uid=uid)
    assert [press.kind for press in presses] == ["helpful", "report"]
    assert presses[0].user_key == user_key(5, SECRET)


def test_stats_count_questions_abstentions_and_feedback(store: LogStore) -> None:
    answered = store.log_answer(make_answer(), **log_kwargs())
    store.log_answer(make_answer("Unknown?", abstained=True), **log_kwargs())
    store.log_feedback(answered, "helpful", user_id=1)
    store.log_feedback(answered, "not_helpful", user_id=2)
    store.log_feedback(answered, "helpful", user_id=3)
    assert store.flush(timeout=10)
    stats = store.stats(since=datetime.now(UTC) - timedelta(hours=1))
    assert (stats.questions, stats.abstained) == (2, 1)
    assert (stats.helpful, stats.not_helpful, stats.reported) == (2, 1, 0)
    assert stats.helpful_ratio == pytest.approx(2 / 3)
    assert store.stats(since=datetime.now(UTC) + timedelta(hours=1)).questions == 0


def test_approved_corrections_are_returned_for_the_bot(store: LogStore) -> None:
    uid = store.log_answer(make_answer("Who mediates?"), **log_kwargs())
    other = store.log_answer(make_answer("Who hosts?"), **log_kwargs())
    assert store.flush(timeout=10)
    with Session(store.engine) as session:
        crud.save_review(
            session=session,
            answer_uid=uid,
            moderator="mod",
            verdict="incorrect",
            corrected_answer="Turkey mediates.",
            approved=True,
        )
        crud.save_review(
            session=session,
            answer_uid=other,
            moderator="mod",
            verdict="needs_work",
            corrected_answer="Not approved yet.",
        )
        session.commit()
    [correction] = store.approved_corrections()
    assert correction.question == "Who mediates?"
    assert correction.corrected_answer == "Turkey mediates."
    assert correction.language == "en"
    assert correction.answer_uid == uid
    assert correction.reviewed_at.tzinfo is not None


def test_prune_deletes_old_answers_with_their_linked_rows(store: LogStore) -> None:
    old = store.log_answer(make_answer("old?"), **log_kwargs())
    new = store.log_answer(make_answer("new?"), **log_kwargs())
    store.log_feedback(old, "helpful", user_id=1)
    store.log_feedback(new, "helpful", user_id=1)
    assert store.flush(timeout=10)
    with Session(store.engine) as session:
        row = crud.get_answer(session=session, uid=old)
        assert row is not None
        row.created_at = datetime.now(UTC) - timedelta(days=40)
        session.add(row)
        crud.save_review(session=session, answer_uid=old, moderator="m", verdict="correct")
        session.commit()
    assert store.prune(older_than_days=30) == 1
    assert [row.uid for row in stored_answers(store)] == [new]
    with Session(store.engine) as session:
        assert [f.answer_uid for f in session.exec(select(Feedback)).all()] == [new]
        assert crud.get_review(session=session, answer_uid=old) is None
        # The audit trail outlives the answer it concerns.
        assert crud.audit_entries(session=session, answer_uid=old)
    assert store.prune(older_than_days=30) == 0


def test_migrated_schema_matches_the_models(database_url: str, tmp_path: Path) -> None:
    LogStore(database_url, user_key_secret=SECRET, spool_path=tmp_path / "s.jsonl").close()
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = compare_metadata(context, SQLModel.metadata)
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert version.scalar_one() == head
    finally:
        engine.dispose()
    assert differences == []


def test_sqlite_runs_in_wal_mode(sqlite_url: str, tmp_path: Path) -> None:
    store = LogStore(sqlite_url, user_key_secret=SECRET, spool_path=tmp_path / "s.jsonl")
    try:
        with store.engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
        assert mode == "wal"
        assert timeout >= 1000
    finally:
        store.close()


def test_default_spool_sits_next_to_the_sqlite_file(sqlite_url: str) -> None:
    store = LogStore(sqlite_url, user_key_secret=SECRET)
    try:
        assert store._spool.path == Path(sqlite_url.removeprefix("sqlite:///")).parent / (
            "log-spool.jsonl"
        )
    finally:
        store.close()


def test_spooled_records_from_an_earlier_run_are_written_once(
    database_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool.jsonl"
    first = LogStore(database_url, user_key_secret=SECRET, spool_path=spool)
    written = first.log_answer(make_answer("written?"), **log_kwargs())
    assert first.flush(timeout=10)
    first.close()
    # A crash after commit but before the spool was trimmed leaves written records in it too.
    record = {
        "type": "answer",
        "uid": written,
        "created_at": datetime.now(UTC).isoformat(),
        "front_end": "telegram",
        "question": "written?",
    }
    waiting = dict(record, uid="b" * 32, question="waiting?")
    feedback = {
        "type": "feedback",
        "uid": "c" * 32,
        "answer_uid": "b" * 32,
        "kind": "report",
        "created_at": datetime.now(UTC).isoformat(),
    }
    spool.write_text("".join(json.dumps(r) + "\n" for r in (record, waiting, feedback)))
    second = LogStore(database_url, user_key_secret=SECRET, spool_path=spool)
    try:
        assert second.pending_count == 3
        assert second.flush(timeout=10)
        assert sorted(row.question for row in stored_answers(second)) == ["waiting?", "written?"]
        assert count_rows(database_url, "feedback") == 1
        assert not spool.exists()
    finally:
        second.close()


def test_log_answer_returns_at_once(store: LogStore) -> None:
    started = time.perf_counter()
    for _ in range(200):
        store.log_answer(make_answer(), **log_kwargs())
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert store.flush(timeout=20)
    assert len(stored_answers(store)) == 200
