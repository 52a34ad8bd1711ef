"""The asker's language: every user-facing text (bot/texts) and date, in en, uk or ru."""

from __future__ import annotations

from datetime import date

from bot.profile import active_profile
from bot.texts import TEXTS

SUPPORTED = ("en", "uk", "ru")

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}


def pick_language(code: str | None) -> str:
    """Map a language code (e.g. Telegram's 'uk-UA') to one we write in, defaulting to English."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in SUPPORTED else "en"


def offered_languages() -> tuple[str, ...]:
    """Return the languages the active profile offers (its Telegram command menus, say)."""
    return active_profile().languages


def text(language: str | None, key: str, **values: object) -> str:
    """Return the text `key` in `language`, its profile placeholders and `values` filled in.

    A language the profile does not offer gets the profile's first language.
    """
    profile = active_profile()
    chosen = pick_language(language)
    if chosen not in profile.languages:
        chosen = profile.languages[0]
    return TEXTS[chosen][key].format(**{**profile.values(chosen), **values})


def format_date(day: date, language: str) -> str:
    """Write a date the way a reader of `language` expects: '2 June 2025', '2 червня 2025'."""
    month = _MONTHS[pick_language(language)].split()[day.month - 1]
    return f"{day.day} {month} {day.year}"
