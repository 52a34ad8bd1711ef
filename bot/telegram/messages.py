"""What the bot says: en/uk/ru interface texts and answers rendered as Telegram HTML."""

from __future__ import annotations

import re
from html import escape

from bot.answer_types import Answer, Citation

MESSAGE_LIMIT = 4096  # Telegram's limit on one message's text
LANGUAGES = ("en", "uk", "ru")
_TITLE_LIMIT = 200
_URL_LIMIT = 1000

TEXTS: dict[str, dict[str, str]] = {
    "start": {
        "en": (
            "Hello! I answer questions about the 2025 Ukraine–Russia peace talks from a library "
            "of news articles, and I cite my sources.\n\n"
            "Just write your question. In a group, use /ask, mention me or reply to my message.\n"
            "/status — where the talks stand now\n/sources — what my library covers\n"
            "/help — how to use me"
        ),
        "uk": (
            "Вітаю! Я відповідаю на запитання про мирні переговори між Україною та Росією 2025 "
            "року на основі бібліотеки новинних статей і завжди вказую джерела.\n\n"
            "Просто напишіть запитання. У групі — через /ask, згадку мене або відповідь на моє "
            "повідомлення.\n/status — стан переговорів зараз\n/sources — що є в моїй бібліотеці\n"
            "/help — як мною користуватися"
        ),
        "ru": (
            "Здравствуйте! Я отвечаю на вопросы о мирных переговорах Украины и России 2025 года "
            "по библиотеке новостных статей и всегда указываю источники.\n\n"
            "Просто напишите вопрос. В группе — через /ask, упоминание меня или ответ на моё "
            "сообщение.\n/status — состояние переговоров сейчас\n/sources — что есть в моей "
            "библиотеке\n/help — как мной пользоваться"
        ),
    },
    "help": {
        "en": (
            "Ask me anything about the peace talks, e.g. “What was agreed in Istanbul?”\n\n"
            "/ask <question> — ask (in groups)\n/status — the latest state of the talks\n"
            "/sources — outlets and dates my library covers\n\n"
            "Every answer lists its sources. If the library does not say, I tell you so. "
            "Use the buttons under an answer to tell us whether it helped."
        ),
        "uk": (
            "Запитайте мене про мирні переговори, напр. «Про що домовилися в Стамбулі?»\n\n"
            "/ask <запитання> — запитати (у групах)\n/status — останній стан переговорів\n"
            "/sources — видання й дати в моїй бібліотеці\n\n"
            "Кожна відповідь містить джерела. Якщо в бібліотеці немає відповіді, я так і скажу. "
            "Кнопки під відповіддю допоможуть нам дізнатися, чи була вона корисною."
        ),
        "ru": (
            "Спросите меня о мирных переговорах, напр. «О чём договорились в Стамбуле?»\n\n"
            "/ask <вопрос> — спросить (в группах)\n/status — последнее состояние переговоров\n"
            "/sources — издания и даты в моей библиотеке\n\n"
            "Каждый ответ содержит источники. Если в библиотеке нет ответа, я так и скажу. "
            "Кнопки под ответом помогут нам узнать, был ли он полезен."
        ),
    },
    "not_text": {
        "en": "Sorry, I can only read text. Please type your question.",
        "uk": "Вибачте, я розумію лише текст. Будь ласка, напишіть запитання.",
        "ru": "Извините, я понимаю только текст. Пожалуйста, напишите вопрос.",
    },
    "empty": {
        "en": "Please write a question, e.g. /ask What was agreed in Istanbul?",
        "uk": "Будь ласка, напишіть запитання, напр. /ask Про що домовилися в Стамбулі?",
        "ru": "Пожалуйста, напишите вопрос, напр. /ask О чём договорились в Стамбуле?",
    },
    "slow_down": {
        "en": "You are asking faster than I can keep up — please try again in {seconds} s.",
        "uk": "Ви питаєте надто швидко — спробуйте ще раз через {seconds} с.",
        "ru": "Вы спрашиваете слишком быстро — попробуйте ещё раз через {seconds} с.",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again later.",
        "uk": "Вибачте, у мене щось пішло не так. Спробуйте пізніше.",
        "ru": "Извините, у меня что-то пошло не так. Попробуйте позже.",
    },
    "admin_only": {
        "en": "This command is for administrators only.",
        "uk": "Ця команда лише для адміністраторів.",
        "ru": "Эта команда только для администраторов.",
    },
    "not_allowed": {
        "en": "Sorry, this bot is not available in this chat.",
        "uk": "Вибачте, цей бот недоступний у цьому чаті.",
        "ru": "Извините, этот бот недоступен в этом чате.",
    },
    "reindex_started": {
        "en": "Re-indexing: looking for new articles…",
        "uk": "Оновлюю індекс: шукаю нові статті…",
        "ru": "Обновляю индекс: ищу новые статьи…",
    },
    "reindex_busy": {
        "en": "Re-indexing is already running.",
        "uk": "Оновлення індексу вже триває.",
        "ru": "Обновление индекса уже идёт.",
    },
    "sources_heading": {"en": "Sources", "uk": "Джерела", "ru": "Источники"},
    "as_of": {"en": "As of {date}", "uk": "Станом на {date}", "ru": "По состоянию на {date}"},
    "reviewed": {
        "en": "✓ Checked by a moderator",
        "uk": "✓ Перевірено модератором",
        "ru": "✓ Проверено модератором",
    },
    "button_helpful": {"en": "👍 Helpful", "uk": "👍 Корисно", "ru": "👍 Полезно"},
    "button_not_helpful": {"en": "👎 Not helpful", "uk": "👎 Не корисно", "ru": "👎 Бесполезно"},
    "button_report": {
        "en": "⚠️ Report a problem",
        "uk": "⚠️ Повідомити про проблему",
        "ru": "⚠️ Сообщить о проблеме",
    },
    "thanks_button": {
        "en": "✓ Thanks for your feedback",
        "uk": "✓ Дякуємо за відгук",
        "ru": "✓ Спасибо за отзыв",
    },
    "thanks_vote": {
        "en": "Thank you for your feedback!",
        "uk": "Дякуємо за відгук!",
        "ru": "Спасибо за отзыв!",
    },
    "thanks_report": {
        "en": "Thank you — a moderator will look at this answer.",
        "uk": "Дякуємо — модератор перевірить цю відповідь.",
        "ru": "Спасибо — модератор проверит этот ответ.",
    },
    "already_recorded": {
        "en": "Your feedback is already recorded.",
        "uk": "Ваш відгук уже враховано.",
        "ru": "Ваш отзыв уже учтён.",
    },
}

COMMAND_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "ask": {"en": "Ask a question", "uk": "Поставити запитання", "ru": "Задать вопрос"},
    "status": {
        "en": "Where the talks stand now",
        "uk": "Стан переговорів зараз",
        "ru": "Состояние переговоров сейчас",
    },
    "sources": {
        "en": "Outlets and dates the library covers",
        "uk": "Видання й дати в бібліотеці",
        "ru": "Издания и даты в библиотеке",
    },
    "help": {"en": "How to use the bot", "uk": "Як користуватися ботом", "ru": "Как пользоваться"},
    "start": {"en": "What this bot does", "uk": "Що вміє бот", "ru": "Что умеет бот"},
}
ADMIN_COMMAND_DESCRIPTIONS: dict[str, str] = {
    "reindex": "Pick up new articles",
    "stats": "Questions today, abstentions, helpful ratio",
}


def pick_language(code: str | None) -> str:
    """Return en, uk or ru for a Telegram language code such as `uk` or `ru-RU`."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def text(key: str, language: str | None, **values: object) -> str:
    """Return the interface text `key` in `language` (falling back to English), filled in."""
    variants = TEXTS[key]
    template = variants.get(pick_language(language), variants["en"])
    return template.format(**values) if values else template


def utf16_length(value: str) -> int:
    """Count UTF-16 code units, the unit Telegram measures message length in."""
    return len(value.encode("utf-16-le")) // 2


_BOUNDARIES = (  # (where to cut, what joins the pieces back), safest first
    (re.compile(r"\n+"), "\n"),  # lines
    (re.compile(r"(?<=[.!?…»])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)


def split_plain_text(value: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut plain text into pieces whose HTML-escaped form fits `limit`, at the safest boundary."""
    if utf16_length(escape(value, quote=False)) <= limit:
        return [value]
    split = _split_at_safest_boundary(value)
    if split is None:
        return _hard_cut(value, limit)
    parts, joiner = split
    pieces: list[str] = []
    current = ""
    for part in parts:
        for fitting in split_plain_text(part, limit):
            candidate = f"{current}{joiner}{fitting}" if current else fitting
            if utf16_length(escape(candidate, quote=False)) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = fitting
    if current:
        pieces.append(current)
    return pieces


def _split_at_safest_boundary(value: str) -> tuple[list[str], str] | None:
    for boundary, joiner in _BOUNDARIES:
        parts = [part for part in boundary.split(value) if part]
        if len(parts) > 1:
            return parts, joiner
    return None


def _hard_cut(value: str, limit: int) -> list[str]:
    # One unbroken run longer than a message: cut between characters, never inside an escape.
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for char in value:
        cost = utf16_length(escape(char, quote=False))
        if used + cost > limit:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += cost
    if current:
        pieces.append("".join(current))
    return pieces


def pack_html(blocks: list[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n") -> list[str]:
    """Join self-contained HTML blocks into as few messages as fit `limit` each."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if utf16_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = block
    if current:
        messages.append(current)
    return messages


def plain_to_html(value: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Render plain text (a summary from the service) as escaped HTML messages."""
    blocks = [escape(piece, quote=False) for piece in split_plain_text(value.strip(), limit)]
    return pack_html(blocks, limit, separator="\n") or [escape("…", quote=False)]


def format_citation(citation: Citation) -> str:
    """Render one numbered source line: title (linked), outlet, date."""
    title = citation.title.strip() or citation.source
    if len(title) > _TITLE_LIMIT:
        title = title[: _TITLE_LIMIT - 1].rstrip() + "…"
    label = escape(title, quote=False)
    if citation.url.startswith(("http://", "https://")) and len(citation.url) <= _URL_LIMIT:
        label = f'<a href="{escape(citation.url, quote=True)}">{label}</a>'
    details = escape(f"{citation.source}, {citation.published.isoformat()}", quote=False)
    return f"[{citation.number}] {label} — {details}"


def format_answer(answer: Answer, ui_language: str | None = None) -> list[str]:
    """Render an answer as one or more HTML messages, each under Telegram's limit."""
    language = pick_language(answer.language if answer.language in LANGUAGES else ui_language)
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", answer.text.strip()):
        for piece in split_plain_text(paragraph.strip(), MESSAGE_LIMIT):
            if piece:
                blocks.append(escape(piece, quote=False))
    notes: list[str] = []
    if answer.reviewed:
        notes.append(text("reviewed", language))
    if answer.as_of is not None:
        notes.append(text("as_of", language, date=answer.as_of.isoformat()))
    if notes:
        blocks.append("<i>" + escape(" · ".join(notes), quote=False) + "</i>")
    if answer.sources:
        heading = "<b>" + escape(text("sources_heading", language), quote=False) + "</b>"
        lines = [format_citation(citation) for citation in answer.sources]
        blocks.extend(_source_blocks(heading, lines))
    return pack_html(blocks) or [escape("…", quote=False)]


def _source_blocks(heading: str, lines: list[str]) -> list[str]:
    # Keep the source list together where it fits, else one block per line.
    combined = "\n".join([heading, *lines])
    if utf16_length(combined) <= MESSAGE_LIMIT:
        return [combined]
    return pack_html([heading, *lines], separator="\n")
