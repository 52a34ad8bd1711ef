"""Tell from what retrieval found whether a question could be about more than one meeting.

"How many prisoners were to be exchanged?" names no talks; asked alone, it is answered from
whichever meeting's report matches best, though several exchanges were agreed. When the first
passages found come from reports of different dates (so, of different meetings) and match about
as well, the question is asked which talks it means instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.answers.tuning import CONVERSATION_TUNING, ConversationTuning


def _published(row: Mapping[str, object]) -> date | None:
    value = row.get("published")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _cosine(row: Mapping[str, object]) -> float:
    value = row.get("cosine")
    return float(value) if isinstance(value, int | float) else 0.0


def spans_meetings(
    retrieved: Sequence[Mapping[str, object]], tuning: ConversationTuning = CONVERSATION_TUNING
) -> bool:
    """Return whether the leading passages (answer log rows, in rank order) tell of two meetings.

    A passage from another article published more than `same_meeting_days` away from the
    leading one's, among the first `meeting_passages`, and matching within `meeting_cosine_gap`
    of it (above or below), is taken as another meeting the question fits as well.
    """
    first = list(retrieved[: tuning.meeting_passages])
    if len(first) < 2:
        return False
    lead = first[0]
    lead_date = _published(lead)
    if lead_date is None:
        return False
    for row in first[1:]:
        when = _published(row)
        if when is None or row.get("article_id") == lead.get("article_id"):
            continue
        apart = abs((when - lead_date).days) > tuning.same_meeting_days
        # Close either way: a passage ranked lower but matching better is as much another fit.
        if apart and abs(_cosine(lead) - _cosine(row)) <= tuning.meeting_cosine_gap:
            return True
    return False
