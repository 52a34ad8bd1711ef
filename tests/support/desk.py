"""A seeded review desk driven in-process, shared by the review desk tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from bot.logstore import LogStore, crud
from bot.review import auth
from bot.review.app import create_app
from bot.review.throttle import LoginThrottle
from tests.support.logstore import log_kwargs, make_answer

PASSWORD = "correct horse battery"
HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'


class Desk:
    """A seeded log database, the app on it and a client (not yet logged in)."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.url = database_url
        self.store = LogStore(database_url, user_key_secret="s", spool_path=tmp_path / "s.jsonl")
        # Short back-off delays keep the tests quick; the arithmetic is the real one.
        self.throttle = LoginThrottle(base_delay_s=0.01, max_delay_s=0.05, client_max_failures=8)
        self.app = create_app(database_url, trusted_proxies=["127.0.0.1"], throttle=self.throttle)
        self.client = TestClient(
            self.app, base_url="http://testserver", client=("127.0.0.1", 50000)
        )
        with Session(self.store.engine) as session:
            auth.add_moderator(session=session, name="alice", password=PASSWORD)
            auth.add_moderator(session=session, name="bob", password=PASSWORD)
            session.commit()

    def log(self, question: str, *, days_ago: float = 0, **kwargs: object) -> str:
        answer = make_answer(question, **kwargs)  # type: ignore[arg-type]
        uid = self.store.log_answer(answer, **log_kwargs())
        assert self.store.flush(timeout=10)
        if days_ago:
            with Session(self.store.engine) as session:
                row = crud.get_answer(session=session, uid=uid)
                assert row is not None
                row.created_at = datetime.now(UTC) - timedelta(days=days_ago)
                session.add(row)
                session.commit()
        return uid

    def new_client(self, address: str = "127.0.0.1") -> TestClient:
        """Another browser, from a given peer address."""
        return TestClient(self.app, base_url="http://testserver", client=(address, 50001))

    def csrf(self, path: str = "/login", client: TestClient | None = None) -> str:
        page = BeautifulSoup((client or self.client).get(path).text, "html.parser")
        field = page.find("input", attrs={"name": "csrf_token"})
        assert field is not None, f"no CSRF field on {path}"
        return str(field["value"])

    def login(
        self,
        name: str = "alice",
        password: str = PASSWORD,
        client: TestClient | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        client = client or self.client
        return client.post(
            "/login",
            data={
                "name": name,
                "password": password,
                "csrf_token": self.csrf(client=client),
                "next": "/",
            },
            headers=headers,
            follow_redirects=False,
        )

    def page(self, path: str) -> BeautifulSoup:
        response = self.client.get(path)
        assert response.status_code == 200, response.text[:500]
        return BeautifulSoup(response.text, "html.parser")

    def queue_uids(self, query: str = "") -> list[str]:
        page = self.page("/" + (f"?{query}" if query else ""))
        return [str(row["data-uid"]) for row in page.select("table.queue tbody tr")]

    def review(self, uid: str, client: TestClient | None = None, **fields: str) -> Any:
        client = client or self.client
        data = {"csrf_token": self.csrf(f"/answers/{uid}", client=client), **fields}
        return client.post(f"/answers/{uid}/review", data=data, follow_redirects=False)
