"""The log store: every question and answer, feedback presses and moderator reviews."""

from bot.logstore import alert_models  # noqa: F401  (registers the alert tables)
from bot.logstore.models import CorrectionPublic, LogStats
from bot.logstore.pseudonym import user_key
from bot.logstore.store import LogStore, LogStoreUnavailable

__all__ = ["CorrectionPublic", "LogStats", "LogStore", "LogStoreUnavailable", "user_key"]
