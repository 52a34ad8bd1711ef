"""The deployment profile: texts that name a negotiation, languages, track names, glossary files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import i18n
from bot.cli import cli
from bot.config import get_settings
from bot.profile import DEFAULT_PROFILE, ProfileError, activate, active_profile, load_profile
from bot.telegram.messages import command_descriptions
from index.glossary import default_glossary

MIXED_PROFILE = Path(__file__).resolve().parent.parent / "data/samples/mixed/profile.toml"


@pytest.fixture
def restore_default() -> Iterator[None]:
    yield
    activate(load_profile(DEFAULT_PROFILE))


def test_default_profile_is_the_ukraine_russia_talks() -> None:
    profile = load_profile()
    assert profile.languages == ("en", "uk", "ru")
    assert "2025 Ukraine–Russia peace talks" in i18n.text("en", "start")
    assert i18n.text("en", "no_answer").startswith(
        "My sources don't cover that. I answer from news reports on the Ukraine–Russia peace talks;"
    )
    assert (
        i18n.text("uk", "empty")
        == "Будь ласка, напишіть запитання, напр. /ask Про що домовилися в Стамбулі?"
    )
    assert profile.tracks.names["russia-ukraine"]["en"] == "Ukraine–Russia talks"


def test_switching_profile_changes_every_text_naming_a_negotiation(restore_default: None) -> None:
    activate(load_profile(MIXED_PROFILE))
    for language in ("en", "uk", "ru"):
        for key in ("start", "help", "no_answer", "empty"):
            shown = i18n.text(language, key)
            assert "Стамбул" not in shown and "Istanbul" not in shown, (language, key)
    assert "Gaza" in i18n.text("en", "help")
    assert active_profile().tracks.names["hamas-israel"]["en"] == "Gaza: Israel – Hamas"
    assert command_descriptions("ru")["status"] == "Состояние переговоров сейчас"


def test_glossary_particulars_come_with_the_profile(restore_default: None) -> None:
    # The Easter truce belongs to one conflict: in the Ukraine–Russia profile's file, not the
    # general one; Nakhchivan is in the mixed library's.
    assert "Easter" in default_glossary().english_terms("великоднє перемир'я")
    assert "Nakhchivan" not in default_glossary().english_terms("маршрут до Нахічевані")
    activate(load_profile(MIXED_PROFILE))
    terms = default_glossary().english_terms("великоднє перемир'я")
    assert "Easter" not in terms and "truce" in terms
    assert "Nakhchivan" in default_glossary().english_terms("маршрут до Нахічевані")


def test_a_bad_profile_gets_one_line_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\nlanguages = ["en", "fr"]\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"broken.toml: languages must be some of en, uk, ru"):
        load_profile(broken)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli, ["search", "x"], env={"NEGOBOT_PROFILE": str(tmp_path / "missing.toml")}
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "profile" in result.output and "missing.toml" in result.output
    assert "Traceback" not in result.output


def test_a_language_the_profile_does_not_offer_gets_its_first(
    tmp_path: Path, restore_default: None
) -> None:
    english_only = tmp_path / "english.toml"
    english_only.write_text(
        'languages = ["en"]\n[description]\nen = "I answer about the Oslo talks."\n'
        '[covers]\nen = "I answer from reports on the Oslo talks"\n',
        encoding="utf-8",
    )
    activate(load_profile(english_only))
    assert i18n.text("uk", "start").startswith("Hello! I answer about the Oslo talks.")
    assert i18n.offered_languages() == ("en",)
