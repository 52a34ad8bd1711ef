"""Where the sample library lives, and made-up articles that differ from one another."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from index.documents import Article

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ARTICLES = REPO_ROOT / "data" / "articles"

# Words to vary synthetic articles, so no two share a text and their vectors differ.
_PLACES = ("Istanbul", "Riyadh", "Geneva", "Jeddah", "Ankara", "Doha", "Vienna", "Oslo")
_TOPICS = ("prisoners", "energy", "grain", "ports", "bodies", "sanctions", "borders", "children")
_ACTORS = ("envoys", "ministers", "negotiators", "mediators", "officials", "delegates")


def synthetic_article(number: int, **overrides: object) -> Article:
    """Return a made-up article of a few sentences, distinct for every `number`."""
    place = _PLACES[number % len(_PLACES)]
    topic = _TOPICS[(number // len(_PLACES)) % len(_TOPICS)]
    actors = _ACTORS[number % len(_ACTORS)]
    text = (
        f"Talks number {number} took place in {place}. "
        f"The {actors} discussed {topic} for several hours on day {number}. "
        f"Both sides said meeting {number} was useful and agreed to meet again.\n\n"
        f"A joint statement on {topic} is expected after round {number}."
    )
    fields: dict[str, object] = {
        "title": f"Round {number} of talks in {place}",
        "text": text,
        "published": date(2025, 1, 1) + timedelta(days=number % 365),
        "source": ("Reuters", "AP", "BBC")[number % 3],
        "url": f"https://example.org/news/round-{number}",
        "language": "en",
        "id": f"round-{number}",
    }
    fields.update(overrides)
    return Article(**fields)  # type: ignore[arg-type]
