"""Negotiation tracks: found at ingest, stable across re-ingest, joined by new articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.documents import Article
from index.ingest import ingest_articles
from index.loaders import load_articles
from index.search import Searcher
from index.store import load_snapshot, read_manifest
from index.tracks import TrackOverrides
from tests.support.embedders import FakeEmbedder

REPO = Path(__file__).resolve().parent.parent
MIXED = REPO / "data" / "samples" / "mixed" / "articles"
LATER = REPO / "data" / "samples" / "mixed" / "later"
SAMPLE = REPO / "data" / "articles"
# The fixture's ids say which negotiation each report is about: mixed-<a>-<b>-...
NEGOTIATION_TRACKS = {
    "ua-ru": "russia-ukraine",
    "us-cn": "china-united-states",
    "in-pk": "india-pakistan",
    "cd-rw": "dr-congo-rwanda",
    "am-az": "armenia-azerbaijan",
    "il-hamas": "hamas-israel",
}


def negotiation(key: str) -> str:
    """Return the track a fixture article belongs in, from its id."""
    return next(track for prefix, track in NEGOTIATION_TRACKS.items() if f"-{prefix}-" in key)


def loaded(*folders: Path) -> list[Article]:
    return [item for item in load_articles(list(folders)) if isinstance(item, Article)]


def membership(index_dir: Path) -> dict[str, str]:
    """Return article key -> track id, as the manifest records it."""
    manifest = read_manifest(index_dir)
    assert manifest is not None
    return {key: track["id"] for track in manifest["tracks"] for key in track["articles"]}


@pytest.fixture
def mixed_index(tmp_path: Path, fake_embedder: FakeEmbedder) -> Path:
    folder = tmp_path / "index"
    ingest_articles(loaded(MIXED), index_dir=folder, embedder=fake_embedder)
    return folder


def test_every_mixed_article_lands_in_its_negotiations_track(mixed_index: Path) -> None:
    found = membership(mixed_index)
    assert len(found) == 14
    assert found == {key: negotiation(key) for key in found}
    assert set(found.values()) == set(NEGOTIATION_TRACKS.values())


def test_the_sample_library_is_one_track(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    ingest_articles(loaded(SAMPLE), index_dir=tmp_path / "index", embedder=fake_embedder)
    found = membership(tmp_path / "index")
    assert len(found) == 15 and set(found.values()) == {"russia-ukraine"}


def test_both_libraries_together_keep_the_negotiations_apart(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    ingest_articles(loaded(SAMPLE, MIXED), index_dir=tmp_path / "index", embedder=fake_embedder)
    found = membership(tmp_path / "index")
    expected = {
        key: negotiation(key) if key.startswith("mixed-") else "russia-ukraine" for key in found
    }
    assert found == expected


def test_ids_are_stable_across_re_ingest_and_rebuild(
    mixed_index: Path, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    before = membership(mixed_index)
    again = ingest_articles(loaded(MIXED), index_dir=mixed_index, embedder=fake_embedder)
    assert not again.changed and membership(mixed_index) == before
    ingest_articles(loaded(MIXED), index_dir=mixed_index, embedder=fake_embedder, rebuild=True)
    assert membership(mixed_index) == before


def test_new_articles_join_the_right_tracks_without_moving_others(
    mixed_index: Path, fake_embedder: FakeEmbedder
) -> None:
    before = membership(mixed_index)
    report = ingest_articles(loaded(LATER), index_dir=mixed_index, embedder=fake_embedder)
    assert report.tracks_added == {
        "china-united-states": ["mixed-us-cn-busan-oct30"],
        "dr-congo-rwanda": ["mixed-cd-rw-accords-dec04"],
    }
    assert "tracks: china-united-states +1, dr-congo-rwanda +1" in report.summary()
    after = membership(mixed_index)
    assert {key: after[key] for key in before} == before
    assert after["mixed-cd-rw-accords-dec04"] == "dr-congo-rwanda"
    # Each article entry records its track too.
    snapshot = load_snapshot(mixed_index)
    assert snapshot is not None
    assert snapshot.articles["mixed-us-cn-busan-oct30"].track == "china-united-states"


def test_a_deployer_names_and_merges_tracks(mixed_index: Path, fake_embedder: FakeEmbedder) -> None:
    overrides = TrackOverrides(
        names={"hamas-israel": {"en": "Gaza"}},
        merge={"india-pakistan": "south-asia", "armenia-azerbaijan": "south-asia"},
    )
    report = ingest_articles(
        loaded(MIXED), index_dir=mixed_index, embedder=fake_embedder, tracks=overrides
    )
    assert report.upgraded  # only the overrides changed: written again, nothing re-embedded
    assert report.chunks_embedded == 0
    found = membership(mixed_index)
    assert {key for key, track in found.items() if track == "south-asia"} == {
        key for key in found if "-in-pk-" in key or "-am-az-" in key
    }
    catalog = Searcher.open(mixed_index, fake_embedder).tracks
    gaza = catalog.get("hamas-israel")
    assert gaza is not None and gaza.name("en") == "Gaza" and gaza.name("uk") == "Gaza"


def test_catalog_reads_tracks_back(mixed_index: Path, fake_embedder: FakeEmbedder) -> None:
    catalog = Searcher.open(mixed_index, fake_embedder).tracks
    views = catalog.tracks()
    assert views[0].id == "russia-ukraine"  # newest report first
    gaza = catalog.get("hamas-israel")
    assert gaza is not None
    assert [entry.key for entry in gaza.reports] == [
        "mixed-il-hamas-ceasefire-oct10",
        "mixed-il-hamas-ceasefire-jan19",
    ]
    assert gaza.newest.isoformat() == "2025-10-10" and gaza.oldest.isoformat() == "2025-01-19"
    assert gaza.name("en") == "Israel – Hamas" and gaza.name("ru") == "Израиль – ХАМАС"
    assert catalog.track_of("mixed-in-pk-sindoor-may07") == "india-pakistan"
    assert catalog.track_of("no-such-article") is None
    assert catalog.find("Gaza") is gaza
    assert catalog.find("where do the Gaza talks stand?") is gaza
    found = catalog.find("Індія і Пакистан")
    assert found is not None and found.id == "india-pakistan"
    assert catalog.find("atlantis") is None
    assert catalog.find("the ceasefire") is None  # named in two tracks' titles alike


def test_an_index_from_before_tracks_gets_them(
    mixed_index: Path, fake_embedder: FakeEmbedder
) -> None:
    """Found in memory when loaded; recorded by the next ingest without re-embedding."""
    folder = Path(str(load_snapshot(mixed_index).directory))  # type: ignore[union-attr]
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["tracks"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    catalog = Searcher.open(mixed_index, fake_embedder).tracks
    assert len(catalog.tracks()) == 6
    report = ingest_articles(loaded(MIXED), index_dir=mixed_index, embedder=fake_embedder)
    assert report.upgraded and report.chunks_embedded == 0
    assert len(set(membership(mixed_index).values())) == 6
