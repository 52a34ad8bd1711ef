"""Which articles land in which negotiation track, for one or more libraries ingested together.

    python bench/bench_tracks.py [--model NAME] [--later FOLDER ...] LIBRARY [LIBRARY ...]

Builds a temporary index of the libraries through the normal ingest path (oldest report first,
as any first ingest does), then ingests the --later folders incrementally, and prints each
track with its articles. Where an article's id says which negotiation it reports on (the mixed
sample library: mixed-<a>-<b>-...; data/articles: all Ukraine–Russia), it also counts the
articles placed in a track holding another negotiation's reports.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.profile import activate, load_profile  # noqa: E402
from index.embedders.base import set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.ingest import ingest_articles  # noqa: E402
from index.loaders import load_articles  # noqa: E402
from index.search import Searcher  # noqa: E402


def negotiation_of(key: str) -> str:
    """Return the negotiation an article reports on, from its id (mixed-<a>-<b>-...)."""
    if not key.startswith("mixed-"):
        return "ua-ru"
    parts = key.split("-")
    return "-".join(parts[1:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("libraries", type=Path, nargs="+")
    parser.add_argument("--model", default="multilingual-e5-small")
    parser.add_argument("--later", type=Path, nargs="*", default=[])
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()

    set_threads(1)
    profile = load_profile(args.profile)
    activate(profile)
    embedder = load_embedder(args.model)
    with tempfile.TemporaryDirectory() as folder:
        index_dir = Path(folder) / "index"
        ingest_articles(
            load_articles(args.libraries), index_dir=index_dir, embedder=embedder,
            tracks=profile.tracks,
        )  # fmt: skip
        for later in args.later:
            report = ingest_articles(
                load_articles([later]), index_dir=index_dir, embedder=embedder,
                tracks=profile.tracks,
            )  # fmt: skip
            print(f"later ({later}): {report.tracks_added}")
        catalog = Searcher.open(index_dir, embedder).tracks
    print(f"model {args.model}; libraries: {', '.join(str(p) for p in args.libraries)}\n")
    misplaced = 0
    for view in catalog.tracks():
        keys = sorted(entry.key for entry in view.reports)
        kinds = Counter(negotiation_of(key) for key in keys)
        major = kinds.most_common(1)[0][0]
        wrong = [key for key in keys if negotiation_of(key) != major]
        misplaced += len(wrong)
        print(f"{view.id} ({view.name('en')}): {len(keys)} reports, {view.oldest} to {view.newest}")
        for key in keys:
            print(f"    {key}{'   <- misplaced' if key in wrong else ''}")
    negotiations = {negotiation_of(e.key) for v in catalog.tracks() for e in v.reports}
    print(
        f"\n{len(catalog.tracks())} tracks for {len(negotiations)} negotiations; "
        f"{misplaced} articles in a track of another negotiation"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
