"""Settings: one object, read from NEGOBOT_* environment variables and an optional .env file."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.answers.tuning import ALERT_TUNING, ANSWER_TUNING, AnswerTuning

DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"


def _split_list(value: object) -> object:
    """Accept `1,2,3` as well as a JSON list for list settings."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            import json

            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every setting negobot reads; see `deploy/.env.example` for one line each."""

    model_config = SettingsConfigDict(
        env_prefix="NEGOBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # index
    articles_dir: Path = Path("data/articles")
    index_dir: Path = Path("data/index")
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    chunk_tokens: int = Field(default=200, ge=32, le=512)
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=5)
    sentence_vectors: bool = True
    query_threads: int = Field(default=1, ge=1)
    ingest_threads: int = Field(default=2, ge=1)

    # deployment: the profile file (TOML) naming the bot, what it covers, examples, track names;
    # None is the packaged Ukraine–Russia 2025 profile
    profile: Path | None = None

    # answering
    abstain_threshold: float | None = None  # None: the calibrated value for the model
    scope_margin: float | None = None  # None: the calibrated value (bot/answers/scope.py), if any
    answer_sentences: int = Field(default=ANSWER_TUNING.answer_sentences, ge=1, le=8)
    # the extractive reader: its folder (None: the shipped one), its no-answer threshold (None:
    # the one calibrated with it), sentences added after the answering one, and whether a
    # question the reader finds unanswered is declined rather than answered with sentences
    reader: bool = False
    reader_model: Path | None = None
    reader_threshold: float | None = None
    reader_support_sentences: int = Field(default=ANSWER_TUNING.support_sentences, ge=0, le=4)
    reader_declines: bool = False
    # tuning a deployment may need to change (bot/answers/tuning.py; None keeps the tuned value):
    # how many days before the newest report count as "the latest" (a library updated weekly may
    # want more), and how many sentence vectors are kept in memory between answers
    recent_days: int | None = Field(default=None, ge=1)
    sentence_cache_size: int | None = Field(default=None, ge=0)
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "local"
    llm_timeout_seconds: float = 20.0

    # log store
    database_url: str = "sqlite:///data/negobot.db"
    user_key_secret: SecretStr | None = None
    store_raw_user_ids: bool = False
    retention_days: int | None = None

    # telegram
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    allowed_chat_ids: Annotated[list[int], NoDecode] = []
    admin_user_ids: Annotated[list[int], NoDecode] = []
    rate_limit_per_minute: int = Field(default=6, ge=1)
    max_question_chars: int = Field(default=500, ge=10)
    # follow-up questions: how many turns a chat remembers, and for how long it stays quiet
    conversation_turns: int = Field(default=5, ge=0, le=50)
    conversation_quiet_minutes: float = Field(default=30.0, gt=0)

    # keeping current
    feeds: Annotated[list[str], NoDecode] = []
    feed_refresh_minutes: int = Field(default=60, ge=1)
    # alerts to followers each bot process sends per second; Telegram allows about 30 per bot in
    # all, so replicas sharing one token divide that between them
    alerts_per_second: float = Field(default=ALERT_TUNING.per_second, gt=0, le=30)
    # the UTC time (HH:MM) a chat's daily digest goes out when `/digest on` names none
    digest_time: str = Field(default="08:00", pattern=r"^([01]?\d|2[0-3])(:[0-5]\d)?$")

    # review desk
    review_host: str = "127.0.0.1"
    review_port: int = 8000
    review_secure_cookies: bool = False
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the real client.
    review_trusted_proxies: Annotated[list[str], NoDecode] = []

    # operations
    log_level: str = "INFO"
    log_json: bool = False
    health_port: int | None = None

    def answer_tuning(self) -> AnswerTuning:
        """The answering tuning (bot/answers/tuning.py) with this deployment's overrides applied."""
        tuning = ANSWER_TUNING
        if self.recent_days is not None:
            tuning = replace(tuning, recent_days=self.recent_days)
        if self.sentence_cache_size is not None:
            tuning = replace(tuning, sentence_cache_size=self.sentence_cache_size)
        return tuning

    @field_validator(
        "allowed_chat_ids", "admin_user_ids", "feeds", "review_trusted_proxies", mode="before"
    )
    @classmethod
    def _lists_from_text(cls, value: object) -> object:
        return _split_list(value)


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
