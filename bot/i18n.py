"""The answer's framing in the asker's language: English, Ukrainian or Russian."""

from __future__ import annotations

from datetime import date

SUPPORTED = ("en", "uk", "ru")

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "as_of": "As of {date}:",
        "sources": "Sources",
        "coverage": "My reports run from {first} to {last}.",
        "no_answer": (
            "My sources don't cover that. I answer from news reports on the Ukraine–Russia peace "
            "talks; try /sources to see what the library holds."
        ),
        "reviewed": "Reviewed answer (corrected by a moderator on {date}).",
        "reported_on": "reported {date}",
        "earlier_report": "an earlier report ({date}) said: {text}",
        "empty_question": "Please ask a question in words.",
        "too_long": "That question is too long ({length} characters; the limit is {limit}).",
        "sources_summary": "The library holds {articles} articles from {outlets} outlets, "
        "published {first} to {last}:",
        "empty_library": "The library is empty: no articles have been ingested yet.",
        "stats": "Today: {questions} questions, {abstained} unanswered; "
        "feedback: {helpful} helpful, {not_helpful} not helpful, {reported} reported.",
        "status_question": "What is the latest on the peace talks?",
    },
    "uk": {
        "as_of": "Станом на {date}:",
        "sources": "Джерела",
        "coverage": "Мої повідомлення охоплюють період з {first} по {last}.",
        "no_answer": (
            "Мої джерела цього не висвітлюють. Я відповідаю за новинами про мирні переговори "
            "України та Росії; надішліть /sources, щоб побачити, що є в бібліотеці."
        ),
        "reviewed": "Перевірена відповідь (виправлена модератором {date}).",
        "reported_on": "повідомлено {date}",
        "earlier_report": "раніше ({date}) повідомлялося: {text}",
        "empty_question": "Будь ласка, поставте запитання словами.",
        "too_long": "Запитання задовге ({length} символів; межа — {limit}).",
        "sources_summary": "У бібліотеці {articles} статей від {outlets} видань, "
        "опублікованих з {first} по {last}:",
        "empty_library": "Бібліотека порожня: жодної статті ще не додано.",
        "stats": "Сьогодні: {questions} запитань, без відповіді {abstained}; "
        "відгуки: корисно {helpful}, не корисно {not_helpful}, скарг {reported}.",
        "status_question": "Яка остання інформація про мирні переговори?",
    },
    "ru": {
        "as_of": "По состоянию на {date}:",
        "sources": "Источники",
        "coverage": "Мои сообщения охватывают период с {first} по {last}.",
        "no_answer": (
            "Мои источники этого не освещают. Я отвечаю по новостям о мирных переговорах "
            "Украины и России; отправьте /sources, чтобы увидеть, что есть в библиотеке."
        ),
        "reviewed": "Проверенный ответ (исправлен модератором {date}).",
        "reported_on": "сообщено {date}",
        "earlier_report": "ранее ({date}) сообщалось: {text}",
        "empty_question": "Пожалуйста, задайте вопрос словами.",
        "too_long": "Вопрос слишком длинный ({length} символов; предел — {limit}).",
        "sources_summary": "В библиотеке {articles} статей от {outlets} изданий, "
        "опубликованных с {first} по {last}:",
        "empty_library": "Библиотека пуста: ни одной статьи ещё не добавлено.",
        "stats": "Сегодня: {questions} вопросов, без ответа {abstained}; "
        "отзывы: полезно {helpful}, бесполезно {not_helpful}, жалоб {reported}.",
        "status_question": "Что нового на мирных переговорах?",
    },
}


def pick_language(code: str | None) -> str:
    """Map a language code (e.g. Telegram's 'uk-UA') to one we write in, defaulting to English."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in SUPPORTED else "en"


def text(language: str, key: str, **values: object) -> str:
    """Return a framing text in `language`, formatted with `values`."""
    return TEXTS[pick_language(language)][key].format(**values)


def format_date(day: date, language: str) -> str:
    """Write a date the way a reader of `language` expects: '2 June 2025', '2 червня 2025'."""
    month = _MONTHS[pick_language(language)].split()[day.month - 1]
    return f"{day.day} {month} {day.year}"
