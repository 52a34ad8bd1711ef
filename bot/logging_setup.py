"""Logging: plain or JSON lines, and never a secret in them."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.config import Settings


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class RedactingFilter(logging.Filter):
    """Replace known secrets with *** wherever they appear in a log message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(secret in message for secret in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "***")
                record.msg, record.args = message, None
        return True


def configure_logging(settings: Settings) -> None:
    """Set up the root logger once from settings."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if settings.log_json
        else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    secrets = [
        secret.get_secret_value()
        for secret in (settings.telegram_token, settings.webhook_secret, settings.llm_api_key)
        if secret is not None
    ]
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # httpx logs every request URL, and Bot API URLs contain the token.
    for noisy in (
        "httpx",
        "httpcore",
        "sentence_transformers",
        "transformers",
        "urllib3",
        "faiss",
        "bm25s",
        "faiss.loader",
        "trafilatura",
        "htmldate",
        "courlan",
        "alembic",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
