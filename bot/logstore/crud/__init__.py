"""Reads and writes on the log store, by concept; every function takes the session as a keyword."""

from __future__ import annotations

from bot.logstore.crud.moderators import (
    ModeratorExistsError,
    create_moderator,
    get_moderator,
)
from bot.logstore.crud.queue import (
    QueueFilters,
    QueueRow,
    count_answers,
    feedback_counts,
    feedback_for,
    get_answer,
    languages,
    list_answers,
)
from bot.logstore.crud.records import (
    write_records,
)
from bot.logstore.crud.reviews import (
    add_audit,
    approved_corrections,
    audit_entries,
    get_review,
    save_review,
)
from bot.logstore.crud.summaries import (
    DayCounts,
    daily_counts,
    prune,
    stats,
    top_unanswered,
)

__all__ = [
    "DayCounts",
    "ModeratorExistsError",
    "QueueFilters",
    "QueueRow",
    "add_audit",
    "approved_corrections",
    "audit_entries",
    "count_answers",
    "create_moderator",
    "daily_counts",
    "feedback_counts",
    "feedback_for",
    "get_answer",
    "get_moderator",
    "get_review",
    "languages",
    "list_answers",
    "prune",
    "save_review",
    "stats",
    "top_unanswered",
    "write_records",
]
