"""The deployment profile: what this bot calls itself, what it covers, and its examples.

One TOML file (NEGOBOT_PROFILE; the packaged Ukraine–Russia 2025 profile when unset) holds every
user-facing sentence that names a negotiation, the languages offered, names for the tracks ingest
finds (and tracks to merge), glossary files with the negotiations' own names and places, and the
capitals that were places of its talks (which say which talks a question means).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.glossary import use_extra_glossaries
from index.tracks import TrackOverrides

PROFILES_DIR = Path(__file__).resolve().parent / "data" / "profiles"
DEFAULT_PROFILE = PROFILES_DIR / "ukraine-russia-2025.toml"
KNOWN_LANGUAGES = ("en", "uk", "ru")


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Profile:
    """One deployment's identity and wording."""

    path: Path
    name: str
    languages: tuple[str, ...]
    description: dict[str, str]
    covers: dict[str, str]
    examples: dict[str, list[str]]
    tracks: TrackOverrides = field(default_factory=TrackOverrides)
    glossaries: tuple[Path, ...] = ()
    # Questions about this deployment's negotiations, beside the general ones (bot/scope.py).
    in_scope: tuple[Path, ...] = ()
    # Capitals that were places of the talks (Riyadh): named, they say which talks, although the
    # party gazetteer reads them as a side (bot/conversation/anchors.py). Word beginnings, folded.
    talk_places: tuple[str, ...] = ()

    def values(self, language: str) -> dict[str, str]:
        """Return the profile's sentences in `language` (English where it gives none)."""
        examples = self.examples.get(language) or self.examples.get("en") or [""]
        return {
            "bot_name": self.name,
            "description": self.description.get(language) or self.description.get("en", ""),
            "covers": self.covers.get(language) or self.covers.get("en", ""),
            "example": examples[0],
        }


def load_profile(path: Path | None = None) -> Profile:
    """Read a profile file; any problem raises ProfileError naming the file and what is wrong."""
    path = path or DEFAULT_PROFILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"profile {path}: {error}") from error
    languages = tuple(data.get("languages", ["en"]))
    unknown = [code for code in languages if code not in KNOWN_LANGUAGES]
    if not languages or unknown:
        raise ProfileError(
            f"profile {path}: languages must be some of {', '.join(KNOWN_LANGUAGES)}, "
            f"not {unknown or 'none'}"
        )
    for required in ("description", "covers"):
        if not isinstance(data.get(required), dict) or "en" not in data[required]:
            raise ProfileError(f"profile {path}: [{required}] needs at least an `en` line")
    glossaries = _files(data, "glossaries", path)
    in_scope = _files(data, "in_scope", path)
    return Profile(
        path=path,
        name=str(data.get("name", "negobot")),
        languages=languages,
        description=_strings(data["description"]),
        covers=_strings(data["covers"]),
        examples={
            key: [str(item) for item in value] for key, value in data.get("examples", {}).items()
        },
        tracks=_track_overrides(data.get("tracks", {}), path),
        glossaries=glossaries,
        in_scope=in_scope,
        talk_places=_folded(data, "talk_places"),
    )


def _files(data: dict[str, Any], key: str, path: Path) -> tuple[Path, ...]:
    files = tuple(path.parent / name for name in data.get(key, []))
    missing = [str(file) for file in files if not file.is_file()]
    if missing:
        raise ProfileError(f"profile {path}: {key} file(s) not found: {', '.join(missing)}")
    return files


def _folded(data: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(item).casefold() for item in data.get(key, []))


def _strings(table: dict[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in table.items()}


def _track_overrides(table: dict[str, Any], path: Path) -> TrackOverrides:
    names: dict[str, dict[str, str]] = {}
    merge: dict[str, str] = {}
    for track_id, entry in table.items():
        if not isinstance(entry, dict):
            raise ProfileError(f"profile {path}: [tracks.{track_id}] must be a table")
        if "names" in entry:
            names[track_id] = _strings(entry["names"])
        for source in entry.get("merge", []):
            merge[str(source)] = track_id
    return TrackOverrides(names=names, merge=merge)


_active: Profile | None = None


def activate(profile: Profile) -> None:
    """Make `profile` the one every text and the glossary use from now on."""
    global _active
    _active = profile
    use_extra_glossaries(profile.glossaries)


def active_profile() -> Profile:
    """Return the active profile, activating the packaged default the first time if none was."""
    if _active is None:
        activate(load_profile())
    assert _active is not None
    return _active
