"""Every user-facing text, one table per language; conflict names come from the deployment profile.

Placeholders {bot_name}, {description}, {covers} and {example} are filled from the active
profile (bot/profile.py), so no table names a negotiation.
"""

from bot.texts.en import TEXTS as EN
from bot.texts.ru import TEXTS as RU
from bot.texts.uk import TEXTS as UK

TEXTS: dict[str, dict[str, str]] = {"en": EN, "uk": UK, "ru": RU}
