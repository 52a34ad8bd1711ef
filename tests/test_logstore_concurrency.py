"""The bot writes logs while moderators read and review: nothing is lost on either backend."""

from __future__ import annotations

import threading
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from bot.logstore import LogStore, crud
from bot.review import auth
from bot.review.app import create_app
from tests.support.logstore import count_rows, log_kwargs, make_answer

ANSWERS = 150
PASSWORD = "concurrent password"


def test_bot_logging_while_the_desk_reads_and_reviews(
    database_url: str, tmp_path: Path, fast_password_hashing: None
) -> None:
    store = LogStore(database_url, user_key_secret="s", spool_path=tmp_path / "spool.jsonl")
    app = create_app(database_url)
    with Session(app.state.engine) as session:
        auth.add_moderator(session=session, name="mod", password=PASSWORD)
        session.commit()
    seed = [store.log_answer(make_answer(f"seed {n}?"), **log_kwargs()) for n in range(10)]
    assert store.flush(timeout=10)

    logged: list[str] = []
    errors: list[BaseException] = []

    def bot() -> None:
        try:
            for number in range(ANSWERS):
                uid = store.log_answer(make_answer(f"question {number}?"), **log_kwargs())
                store.log_feedback(uid, "helpful", user_id=number)
                logged.append(uid)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    writer = threading.Thread(target=bot)
    reviewed: list[str] = []
    with TestClient(app) as client:
        login_page = BeautifulSoup(client.get("/login").text, "html.parser")
        token = login_page.find("input", attrs={"name": "csrf_token"})["value"]
        client.post("/login", data={"name": "mod", "password": PASSWORD, "csrf_token": token})
        page = BeautifulSoup(client.get("/").text, "html.parser")
        token = page.find("input", attrs={"name": "csrf_token"})["value"]
        writer.start()
        for position, uid in enumerate(seed):
            assert client.get("/").status_code == 200
            assert client.get("/dashboard").status_code == 200
            response = client.post(
                f"/answers/{uid}/review",
                data={
                    "verdict": "correct" if position % 2 else "needs_work",
                    "note": f"note {position}",
                    "corrected_answer": f"corrected {position}",
                    "approved": "on" if position % 3 == 0 else "",
                    "csrf_token": token,
                },
                follow_redirects=False,
            )
            assert response.status_code == 303
            reviewed.append(uid)
        writer.join(timeout=60)
        assert client.get("/export.jsonl").status_code == 200
    assert not errors
    assert store.flush(timeout=30)
    store.close()

    assert len(logged) == ANSWERS
    assert count_rows(database_url, "answer_log") == ANSWERS + len(seed)
    assert count_rows(database_url, "feedback") == ANSWERS
    assert count_rows(database_url, "review") == len(reviewed)
    assert count_rows(database_url, "audit_entry") == len(reviewed)
    with Session(app.state.engine) as session:
        corrections = crud.approved_corrections(session=session)
    assert sorted(c.answer_uid for c in corrections) == sorted(seed[0::3])
