"""Measure retrieval on BEIR SciFact through the normal ingest and search code.

Run: `python bench/bench_scifact.py [--data DIR] [--configs dense-whole,hybrid] [--model NAME]
[--work-dir DIR] [--write-docs]`. Indexes are cached per model and chunking under --work-dir;
each configuration's scores are kept there too, so --write-docs can rebuild the docs table
from every configuration measured so far with the current BM25 tokenizer. Plain names search
as the shipped index does (stemmed BM25); `-nostem` names are the unstemmed baseline. Exits 2
with one line when the data is absent.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from bench._scifact import (  # noqa: E402
    CONFIGS,
    FIXED_PUBLISHED,
    METRICS,
    SCIFACT_DIR,
    BeirSet,
    BenchDataError,
    BenchSearcher,
    CachingEmbedder,
    Config,
    WholeArticleEmbedder,
    articles_from_corpus,
    evaluate,
    load_beir,
    rank_documents,
    safe_name,
)
from index.embedders.base import (  # noqa: E402
    Embedder,
    EmbeddingModelError,
    set_threads,
    vector_space,
)
from index.embedders.registry import load_embedder  # noqa: E402
from index.ingest import ingest_articles  # noqa: E402
from index.keyword import TOKENIZER_VERSION  # noqa: E402
from index.language_neutral import LanguageNeutralEmbedder  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.store import IndexStoreError  # noqa: E402

DEFAULT_WORK_DIR = Path("/tmp/negobot-scifact")
DEFAULT_MODEL = "all-MiniLM-L6-v2"
DOCS_FILE = REPO_ROOT / "docs" / "scifact.md"
START_MARK = "<!-- scifact:start -->"
END_MARK = "<!-- scifact:end -->"
# Chunk hits asked for per query: enough that at least 100 distinct abstracts are ranked.
CHUNK_DEPTH = 1000


def build_index(data: BeirSet, config: Config, embedder: Embedder, work_dir: Path) -> Path:
    """Ingest the corpus for this config's chunking, or reuse the cached index if it matches."""
    index_dir = work_dir / config.index_name(vector_space(embedder))
    # The cache holds the model's raw vectors, so a post-processed variant reuses them.
    if isinstance(embedder, LanguageNeutralEmbedder):
        raw = CachingEmbedder(embedder.inner, work_dir / "vectors" / safe_name(embedder.name))
        ingest_embedder: Embedder = LanguageNeutralEmbedder(raw, embedder.directions)
    else:
        ingest_embedder = CachingEmbedder(embedder, work_dir / "vectors" / safe_name(embedder.name))
    if config.whole_article:
        ingest_embedder = WholeArticleEmbedder(ingest_embedder)
    report = ingest_articles(
        articles_from_corpus(data.corpus),
        index_dir=index_dir,
        embedder=ingest_embedder,
        chunking=config.chunking(),
        progress=True,
    )
    print(f"[{config.name}] {index_dir}: {report.summary()}", file=sys.stderr)
    if report.skipped or report.problems:
        # A dropped abstract would silently cost recall; the numbers would not be comparable.
        raise BenchDataError(f"ingest skipped abstracts: {dict(report.skipped)}")
    return index_dir


def run_config(
    data: BeirSet, config: Config, embedder: Embedder, work_dir: Path, query_vectors: dict
) -> dict[str, float]:
    """Search every judged query with one configuration and score the ranked abstracts."""
    index_dir = build_index(data, config, embedder, work_dir)
    searcher = BenchSearcher(Searcher.open(index_dir, embedder), config)
    run: dict[str, dict[str, float]] = {}
    # A smaller pool is measured as the bot uses it: its top hits are the same for any k <= pool,
    # but recall@100 is then capped by the pool.
    depth = min(CHUNK_DEPTH, config.candidates)
    for query_id, text in data.queries.items():
        hits = searcher.search(
            text,
            depth,
            mode=config.mode,
            candidates=config.candidates,
            query_vector=query_vectors[query_id],
        )
        run[query_id] = rank_documents(hits)
    return evaluate(data.qrels, run)


def encode_queries(data: BeirSet, embedder: Embedder) -> dict:
    """Embed all queries in one batch; the search then skips its own per-query encoding."""
    ids = list(data.queries)
    vectors = embedder.encode([data.queries[i] for i in ids], kind="query")
    return dict(zip(ids, vectors, strict=True))


def results_file(work_dir: Path) -> Path:
    return work_dir / "results.json"


def load_results(work_dir: Path) -> dict[str, dict]:
    """Return the saved rows that are still current, keyed by model/config."""
    path = results_file(work_dir)
    if not path.is_file():
        return {}
    saved: dict[str, dict] = json.loads(path.read_text(encoding="utf-8"))
    # A row from a renamed configuration or an older tokenizer measured something else now.
    return {
        key: row
        for key, row in saved.items()
        if row.get("config") in CONFIGS and row.get("keyword_tokenizer") == TOKENIZER_VERSION
    }


def save_result(work_dir: Path, key: str, result: dict) -> None:
    results = load_results(work_dir)
    results[key] = result
    work_dir.mkdir(parents=True, exist_ok=True)
    results_file(work_dir).write_text(json.dumps(results, indent=2), encoding="utf-8")


def markdown_table(results: dict[str, dict]) -> str:
    """Render results as a markdown table, in the order of CONFIGS then model."""
    order = {name: position for position, name in enumerate(CONFIGS)}
    rows = sorted(results.values(), key=lambda r: (order.get(r["config"], 99), r["model"]))
    lines = [
        "| configuration | model | what | NDCG@10 | recall@10 | recall@100 |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        scores = " | ".join(f"{row['scores'][metric]:.4f}" for metric in METRICS)
        lines.append(f"| `{row['config']}` | {row['model']} | {row['description']} | {scores} |")
    return "\n".join(lines)


SETUP_NOTES = """\
Setup. `bench/bench_scifact.py` ingests every abstract as an Article (published {date}, source
"SciFact": the index requires both) through `index.ingest.ingest_articles`, runs the 300 judged
test queries through `Searcher.search`, scores an abstract by its best chunk, and computes the
metrics with ranx. `*-whole`: each abstract one chunk, truncated by the model at 256 word-pieces
(the MTEB setup); others: the bot's chunking (200 tokens, one sentence of overlap). BM25 stems
English with Snowball (tokenizer {tokenizer}); `-nostem`: the unstemmed baseline; `-pool50`: the
bot's 50 candidates per side (recall@100 capped); `hybrid` is the default search. Data: BEIR
SciFact from `$NEGOBOT_SCIFACT_DIR` (default `data/scifact`) or `--data`; indexes and vectors are
cached in `--work-dir` (default /tmp/negobot-scifact).

Reference: MTEB publishes NDCG@10 = 0.645 (0.64508) for all-MiniLM-L6-v2 on SciFact; BEIR
publishes 0.665 for BM25.
"""


def docs_section(results: dict[str, dict]) -> str:
    """Return our part of docs/scifact.md, markers included."""
    commands = "\n".join(sorted({row["command"] for row in results.values()}))
    notes = SETUP_NOTES.format(date=FIXED_PUBLISHED.isoformat(), tokenizer=TOKENIZER_VERSION)
    measured = {row["config"] for row in results.values()}
    missing = [f"`{name}`" for name in CONFIGS if name not in measured]
    if missing:
        notes += f"\nNot measured yet: {', '.join(missing)}.\n"
    return (
        f"{START_MARK}\n## SciFact (BEIR test set: 300 queries, 5,183 abstracts)\n\n{notes}\n"
        f"{markdown_table(results)}\n\nCommands that produced these rows (from the repository "
        f"root, with the venv's python):\n\n```\n{commands}\n```\n{END_MARK}"
    )


def write_docs(results: dict[str, dict], docs_file: Path) -> None:
    """Replace the text between our markers, or create the file holding just our section."""
    section = docs_section(results)
    if not docs_file.is_file():
        docs_file.parent.mkdir(parents=True, exist_ok=True)
        docs_file.write_text(f"# SciFact\n\n{section}\n", encoding="utf-8")
        return
    text = docs_file.read_text(encoding="utf-8")
    start, end = text.find(START_MARK), text.find(END_MARK)
    if start == -1 or end == -1:
        text = text.rstrip("\n") + f"\n\n{section}\n"
    else:
        text = text[:start] + section + text[end + len(END_MARK) :]
    docs_file.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SCIFACT_DIR, help="BEIR SciFact folder")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="index cache")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="embedding model name")
    parser.add_argument(
        "--configs",
        default="dense-whole,dense,keyword,hybrid",
        help=f"comma-separated, from: {', '.join(CONFIGS)}",
    )
    parser.add_argument(
        "--raw-vectors",
        action="store_true",
        help="keep the multilingual model's language directions (see index/language_neutral.py)",
    )
    parser.add_argument("--threads", type=int, default=2, help="torch/FAISS threads")
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS_FILE.name}")
    parser.add_argument("--docs-file", type=Path, default=DOCS_FILE, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen configurations, print the table and optionally update the docs."""
    args = parse_args(argv)
    names = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = [name for name in names if name not in CONFIGS]
    if unknown:
        print(f"error: unknown configuration {unknown[0]!r}; use {', '.join(CONFIGS)}",
              file=sys.stderr)  # fmt: skip
        return 2
    command = "python bench/bench_scifact.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        data = load_beir(args.data)
        embedder = load_embedder(args.model, language_neutral=not args.raw_vectors)
        space = vector_space(embedder)
        if args.model != "fake":
            set_threads(args.threads)
        query_vectors = encode_queries(data, embedder)
        for name in names:
            config = CONFIGS[name]
            started = time.perf_counter()
            scores = run_config(data, config, embedder, args.work_dir, query_vectors)
            seconds = time.perf_counter() - started
            print(f"[{name}] {space}: "
                  + ", ".join(f"{metric} {value:.4f}" for metric, value in scores.items())
                  + f" ({seconds:.0f}s)", file=sys.stderr)  # fmt: skip
            save_result(args.work_dir, f"{space}/{name}", {
                "config": name, "model": space, "description": config.description,
                "scores": scores, "command": command, "keyword_tokenizer": TOKENIZER_VERSION,
            })  # fmt: skip
    except (BenchDataError, EmbeddingModelError, IndexStoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results = load_results(args.work_dir)
    print(markdown_table(results))
    if args.write_docs:
        write_docs(results, args.docs_file)
        print(f"updated {args.docs_file}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
