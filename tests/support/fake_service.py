"""A deterministic stand-in for the answering service, for bot tests and the benchmark."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.answers.answer_types import Answer, Citation
from bot.conversation import ConversationKey
from bot.service import FeedbackKind, FrontEnd, checked_question

FAIL_WORD = "boom"  # a question containing it makes ask() raise, to exercise error handling
ABSTAIN_WORD = "weather"  # a question containing it gets an abstention

CITATIONS = [
    Citation(
        number=1,
        title="Talks in Istanbul <live> & updates",
        source="Example Wire",
        published=date(2025, 5, 16),
        url="https://example.org/news?id=1&lang=en",
        score=0.82,
        text="Delegations met in Istanbul on 16 May.",
        article_id="a1",
        chunk_id="a1#0",
    ),
    Citation(
        number=2,
        title="Prisoner exchange agreed",
        source="Daily Example",
        published=date(2025, 5, 17),
        url="https://example.com/exchange",
        score=0.74,
        text="The sides agreed to exchange 1,000 prisoners each.",
        article_id="a2",
        chunk_id="a2#3",
    ),
]
# The fake library's negotiation tracks: id -> (name, newest report).
TRACKS = {
    "russia-ukraine": ("Ukraine – Russia", "2025-05-17"),
    "hamas-israel": ("Israel – Hamas", "2025-10-10"),
}


@dataclass(frozen=True)
class FakeTrack:
    """One of the fake library's tracks."""

    id: str
    title: str

    def name(self, language: str = "en") -> str:
        return self.title


class FakeCatalog:
    """The fake library's tracks, found by id or by a word of their name."""

    def tracks(self) -> list[FakeTrack]:
        return [FakeTrack(track_id, name) for track_id, (name, _) in TRACKS.items()]

    def get(self, track_id: str) -> FakeTrack | None:
        return next((track for track in self.tracks() if track.id == track_id), None)

    def find(self, words: str) -> FakeTrack | None:
        wanted = words.strip().casefold()
        found = [track for track in self.tracks() if wanted and wanted in track.title.casefold()]
        return found[0] if len(found) == 1 else None


def guess_language(text: str) -> str:
    """Guess en/uk/ru from the script, good enough for a fake."""
    lowered = text.lower()
    if any(char in lowered for char in "іїєґ"):
        return "uk"
    if any("а" <= char <= "я" or char == "ё" for char in lowered):
        return "ru"
    return "en"


class FakeService:
    """Implements the Service protocol deterministically and records every call."""

    def __init__(
        self,
        delay_seconds: float = 0.0,
        feedback_log: Path | None = None,
        max_question_chars: int = 500,
    ) -> None:
        self.delay_seconds = delay_seconds
        self.max_question_chars = max_question_chars
        self.feedback_log = feedback_log
        self.asked: list[dict[str, Any]] = []
        self.feedback_calls: list[tuple[str, FeedbackKind, int | None]] = []
        self.reindex_calls = 0
        self.report_notes: list[tuple[str, str, int | None]] = []
        self.status_calls: list[str | None] = []
        self._issued: set[str] = set()
        self._uids = itertools.count(1)
        self._lock = threading.Lock()

    def check_question(self, question: str, language: str) -> str:
        """Apply the real service's rule: not empty, at most `max_question_chars`."""
        return checked_question(question, language, max_chars=self.max_question_chars)

    def ask(
        self,
        question: str,
        *,
        front_end: FrontEnd,
        chat_id: int | None = None,
        chat_type: str | None = None,
        user_id: int | None = None,
        user_language: str | None = None,
        conversation: ConversationKey | None = None,
        reply_to: str | None = None,
    ) -> Answer:
        """Answer from two fixed citations; fail on FAIL_WORD, abstain on ABSTAIN_WORD."""
        if self.delay_seconds:
            time.sleep(self.delay_seconds)  # stands in for model inference
        with self._lock:
            self.asked.append(
                {
                    "question": question,
                    "front_end": front_end,
                    "chat_id": chat_id,
                    "chat_type": chat_type,
                    "user_id": user_id,
                    "user_language": user_language,
                    "conversation": conversation,
                    "reply_to": reply_to,
                }
            )
            uid = f"fake{next(self._uids):08d}"
            self._issued.add(uid)
        if FAIL_WORD in question.lower():
            raise RuntimeError("simulated failure in the answer pipeline")
        language = guess_language(question)
        if ABSTAIN_WORD in question.lower():
            return Answer(
                question=question,
                text="The library does not say; I would rather not guess.",
                language=language,
                abstained=True,
                log_id=uid,
            )
        return Answer(
            question=question,
            text=(
                "Delegations met in Istanbul on 16 May 2025 [1]. They agreed to exchange 1,000 "
                f"prisoners each [2].\n\nYou asked: {question}"
            ),
            language=language,
            abstained=False,
            as_of=date(2025, 5, 17),
            sources=list(CITATIONS),
            log_id=uid,
        )

    def feedback(self, answer_uid: str, kind: FeedbackKind, *, user_id: int | None) -> None:
        """Record a feedback press; unknown answer uids are an error, as in the real store."""
        with self._lock:
            if answer_uid not in self._issued:
                raise KeyError(f"no answer with uid {answer_uid!r}")
            self.feedback_calls.append((answer_uid, kind, user_id))
            if self.feedback_log is not None:
                with self.feedback_log.open("a", encoding="utf-8") as log:
                    record = {"answer_uid": answer_uid, "kind": kind, "user_id": user_id}
                    log.write(json.dumps(record) + "\n")

    def report_note(self, answer_uid: str, note: str, *, user_id: int | None) -> None:
        """Record a report's note."""
        with self._lock:
            self.report_notes.append((answer_uid, note, user_id))

    def status(
        self, language: str, *, track: str | None = None, front_end: str = "telegram"
    ) -> Answer:
        """List two fake tracks, or give a fixed status summary of one (with sources)."""
        self.status_calls.append(track)
        if track is None:
            lines = [
                f"• {name} [{track_id}] — newest {day}" for track_id, (name, day) in TRACKS.items()
            ]
            return Answer(
                question="/status", text="\n".join(lines), language=language, abstained=False
            )
        if track not in TRACKS:
            known = ", ".join(TRACKS)
            text = f"No negotiation in the library matches “{track}”. Known: {known}."
            return Answer(question=f"/status {track}", text=text, language=language, abstained=True)
        return Answer(
            question=f"status {track}",
            text="Latest round: Istanbul, 16 May 2025 [1]. Agreed: a prisoner exchange [2]. "
            "Open: a ceasefire.",
            language=language,
            abstained=False,
            as_of=date(2025, 5, 17),
            sources=list(CITATIONS),
            log_id=None,
        )

    def track_catalog(self) -> FakeCatalog:
        """Return the fake library's two tracks."""
        return FakeCatalog()

    def sources_summary(self, language: str) -> str:
        """Describe the fake library and its tracks."""
        ranges = "\n".join(f"• {name} [{track_id}]" for track_id, (name, _) in TRACKS.items())
        return (
            "2 outlets: Example Wire, Daily Example. Articles from 2025-05-16 to 2025-05-17.\n"
            + ranges
        )

    def stats_summary(self, language: str) -> str:
        """Count the questions asked so far."""
        with self._lock:
            helpful = sum(1 for _, kind, _ in self.feedback_calls if kind == "helpful")
            return f"Questions today: {len(self.asked)}. Helpful presses: {helpful}."

    def reindex(self) -> str:
        """Pretend to re-index."""
        with self._lock:
            self.reindex_calls += 1
        return "Re-indexed: 0 new articles, 2 in total."
