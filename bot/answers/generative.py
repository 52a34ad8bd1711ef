"""Optional generative answers from an OpenAI-compatible chat endpoint, grounded in the passages."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import httpx

from bot.answers.answer_types import Citation
from bot.answers.writing import NO_ANSWER
from bot.config import Settings

log = logging.getLogger(__name__)

_LANGUAGE_NAMES = {"en": "English", "uk": "Ukrainian", "ru": "Russian"}
_CITATION = re.compile(r"\[(\d+)\]")

_INSTRUCTIONS = (
    "You answer questions about peace negotiations using ONLY the numbered news passages given. "
    "Write at most four sentences in {language}. After each claim put the number of the passage "
    "it comes from in square brackets, like [1]. Mention dates when the passages give them. "
    "If the passages do not answer the question, reply with exactly " + NO_ANSWER + "."
)


class ChatCompletionsGenerator:
    """Writes answers through POST {base_url}/chat/completions; any failure returns None."""

    def __init__(
        self, base_url: str, *, model: str, api_key: str | None = None, timeout: float = 20.0
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatCompletionsGenerator:
        assert settings.llm_base_url is not None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            settings.llm_base_url,
            model=settings.llm_model,
            api_key=key,
            timeout=settings.llm_timeout_seconds,
        )

    def write(self, question: str, language: str, passages: Sequence[Citation]) -> str | None:
        """Return a cited answer, NO_ANSWER if the passages do not answer, or None on failure.

        Failure: timeout, error, or output that cites nothing or passages it was not given.
        """
        numbered = "\n\n".join(
            f"[{p.number}] {p.title} ({p.source}, {p.published.isoformat()}): {p.text}"
            for p in passages
        )
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {
                    "role": "system",
                    "content": _INSTRUCTIONS.format(
                        language=_LANGUAGE_NAMES.get(language, "English")
                    ),
                },
                {"role": "user", "content": f"Passages:\n{numbered}\n\nQuestion: {question}"},
            ],
        }
        try:
            response = httpx.post(
                self.url, json=payload, headers=self.headers, timeout=self.timeout
            )
            response.raise_for_status()
            text = str(response.json()["choices"][0]["message"]["content"]).strip()
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
            log.warning(
                "generative answer failed, using the extractive one: %s", type(error).__name__
            )
            return None
        if text.strip(" .") == NO_ANSWER:
            return NO_ANSWER
        cited = {int(number) for number in _CITATION.findall(text)}
        valid = {p.number for p in passages}
        if NO_ANSWER in text or not cited or not cited <= valid:
            # An answer that cites nothing, or cites passages it was not given, is not grounded.
            return None
        return text
