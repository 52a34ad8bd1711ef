"""Answer quality on question sets: retrieval recall, facts in answers, abstention, latency.

    python bench/bench_answers.py [--model NAME] [--questions SET ...] [--calibrate] [--threshold T]
        [--through-conversation]

SET is a file, a set of bench/questions/ (`ordinary-01`) or a group (`development`, `held-out`,
a kind); see bench/question_sets.py. Builds a temporary index of the sets' library (`--articles`;
`--profile` for its deployment profile) with the chosen model through the normal ingest path,
answers every question with the same Answerer the bot uses (no logging), and prints a markdown
table per language. --calibrate sweeps the abstention threshold and prints the one that best
separates in-scope from out-of-scope questions. --through-conversation asks each question alone
through the bot's conversation code (as a new chat would) and counts the in-scope ones asked
which talks or for the whole question instead of answered.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from question_sets import library_of, read_questions, resolve  # noqa: E402

from bot.answers.answer_types import Answer  # noqa: E402
from bot.answers.answerer import Answerer  # noqa: E402
from bot.answers.questions import named_period, outside_coverage  # noqa: E402
from bot.answers.tuning import ANSWER_TUNING  # noqa: E402
from bot.config import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from bot.conversation import answer_understood, understand  # noqa: E402
from bot.profile import activate, load_profile  # noqa: E402
from bot.reader.model import MODEL_DIR, Reader  # noqa: E402
from index.chunking import ChunkingSettings  # noqa: E402
from index.embedders.base import Embedder, set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.ingest import ingest_articles  # noqa: E402
from index.loaders import load_articles  # noqa: E402
from index.search import Searcher  # noqa: E402


def _squash(text: str) -> str:
    """Lower-case, and drop thousands separators so '1,200' matches '1200'."""
    return re.sub(r"(?<=\d)[,\u00a0 ](?=\d{3})", "", text.lower())


def _article_ids(answer: Answer, k: int) -> list[str]:
    """Return the first k distinct articles in the order the answerer ranked its passages."""
    ids: list[str] = []
    for row in answer.retrieved:
        if row["article_id"] not in ids:
            ids.append(str(row["article_id"]))
    return ids[:k]


def _facts(item: dict) -> list[str]:
    """Return the accepted spellings of the expected fact (a name has one per script)."""
    fact = item.get("expected_fact")
    if not fact:
        return []
    return [fact] if isinstance(fact, str) else list(fact)


def _has_fact(item: dict, text: str) -> bool:
    return any(_squash(fact) in _squash(text) for fact in _facts(item))


def _miss_kind(row: dict) -> str:
    """Say where an answer lost its expected fact.

    "declined"; "not retrieved" (in none of the passages retrieved); "retrieved, not read" (only
    in passages after the `sentence_chunks` (bot/answers/tuning.py) the sentence picker reads;
    for status questions, which read the recent ones first, this is approximate); "read, not
    picked" (in a passage the picker read, not among the sentences it chose).
    """
    answer = row["answer"]
    if answer.abstained:
        return "declined"
    texts = [str(passage["text"]) for passage in answer.retrieved]
    if not any(_has_fact(row, text) for text in texts):
        return "not retrieved"
    if not any(_has_fact(row, text) for text in texts[: ANSWER_TUNING.sentence_chunks]):
        return "retrieved, not read"
    return "read, not picked"


def _candidates(values: np.ndarray) -> list[tuple[float, float]]:
    """Return (threshold, gap) for the midpoints between neighbouring distinct values."""
    ordered = np.unique(values)
    return [((lo + hi) / 2, hi - lo) for lo, hi in itertools.pairwise(ordered)]


def _balanced(answered: np.ndarray, labels: np.ndarray) -> float:
    """Mean of the share of in-scope questions answered and out-of-scope ones declined."""
    return round(float((answered[labels].mean() + (~answered[~labels]).mean()) / 2), 6)


def calibrate(scores: list[float], in_scope: list[bool]) -> tuple[float, float]:
    """Return the threshold with the best balanced accuracy, and that accuracy.

    Candidates are the midpoints between neighbouring scores; among equally accurate ones the
    widest gap wins, so the threshold sits as far as it can from the questions on either side.
    """
    values, labels = np.array(scores), np.array(in_scope)
    candidates = _candidates(values)
    if not candidates or labels.all() or not labels.any():
        return float(values.min()), 0.0
    balanced, _, threshold = max(
        (_balanced(values >= threshold, labels), gap, threshold) for threshold, gap in candidates
    )
    return round(threshold, 3), balanced


def calibrate_jointly(
    best: list[float], margins: list[float], in_scope: list[bool]
) -> tuple[float, float, float]:
    """Return the (cosine threshold, scope margin) pair with the best balanced accuracy.

    A question is answered when it clears both. Among equally accurate pairs, the one with the
    widest gaps on either side wins.
    """
    cosines, scopes, labels = np.array(best), np.array(margins), np.array(in_scope)
    balanced, _, threshold, margin = max(
        (
            _balanced((cosines >= threshold) & (scopes >= margin), labels),
            cosine_gap + margin_gap,
            threshold,
            margin,
        )
        for threshold, cosine_gap in _candidates(cosines)
        for margin, margin_gap in _candidates(scopes)
    )
    return round(float(threshold), 4), round(float(margin), 3), balanced


def _print_calibration(rows: list[dict]) -> None:
    """Calibrate the cosine threshold, with the scope margin where the model has one.

    Questions about times the library has no reports from are left out: they are declined
    whatever their scores.
    """
    dated_out = sum(r["dated_out"] for r in rows)
    rows = [r for r in rows if not r["dated_out"]]
    print(f"\n{dated_out} questions name only times outside the library; calibrating on the rest")
    labels = [r["in_scope"] for r in rows]
    if all(r["margin"] is not None for r in rows):
        margins = [r["margin"] for r in rows]
        threshold, margin, balanced = calibrate_jointly([r["best"] for r in rows], margins, labels)
        print(
            f"\ncalibrated threshold {threshold:.4f} with scope margin {margin:.3f} "
            f"(balanced accuracy {balanced:.3f})"
        )
    else:
        threshold, balanced = calibrate([r["best"] for r in rows], labels)
        print(f"\ncalibrated threshold {threshold:.3f} (balanced accuracy {balanced:.3f})")
    for name, key in (("best cosine", "best"), ("scope margin", "margin")):
        if any(r[key] is None for r in rows):
            continue
        inside = sorted(r[key] for r in rows if r["in_scope"])
        outside = sorted(r[key] for r in rows if not r["in_scope"])
        print(
            f"{name} in scope: min {inside[0]:.3f} median {statistics.median(inside):.3f}; "
            f"out of scope: median {statistics.median(outside):.3f} max {outside[-1]:.3f}"
        )


def open_library(
    embedder: Embedder, articles: Path, index_dir: Path, profile: Path | None = None
) -> Searcher:
    """Index the articles through the normal ingest path (an index already there is updated).

    The deployment profile (the packaged default unless given) supplies the glossary files and
    track names, as `negobot ingest` does.
    """
    chosen = load_profile(profile)
    activate(chosen)
    ingest_articles(
        load_articles([articles]),
        index_dir=index_dir,
        embedder=embedder,
        chunking=ChunkingSettings(),
        tracks=chosen.tracks,
    )
    return Searcher.open(index_dir, embedder)


def _reader(folder: str | None, threshold: float | None) -> Reader | None:
    if folder is None:
        return None
    return Reader.load(MODEL_DIR if folder == "shipped" else Path(folder), threshold=threshold)


def _print_conversation_refusals(rows: list[dict], show: bool) -> None:
    """Count the in-scope questions the conversation asked which talks or the whole question."""
    inside = [r for r in rows if r["in_scope"]]
    which = [r for r in inside if r["answer"].mode == "which_talks"]
    whole = [r for r in inside if r["answer"].mode == "incomplete"]
    print(
        f"through the conversation, of {len(inside)} in scope: {len(which)} asked which talks "
        f"({len(which) / max(len(inside), 1):.1%}), {len(whole)} asked for the whole question"
    )
    for row in which + whole if show else []:
        print(f"  {row['answer'].mode} [{row['language']}] {row['id']}: {row['question']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL)
    parser.add_argument(
        "--questions", nargs="+", default=["ordinary-01"], help="Sets, groups or files."
    )
    parser.add_argument(
        "--articles", type=Path, default=None, help="The library (default: the sets' own)."
    )
    parser.add_argument("--profile", type=Path, default=None, help="Deployment profile (TOML).")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--scope-margin", type=float, default=None)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument(
        "--sentences",
        type=int,
        default=ANSWER_TUNING.answer_sentences,
        help="Sentences per answer.",
    )
    parser.add_argument(
        "--index-dir", type=Path, help="Keep the index here and reuse it on the next run."
    )
    parser.add_argument(
        "--show-misses", action="store_true", help="List the questions missed (not just counts)."
    )
    parser.add_argument(
        "--reader", nargs="?", const="shipped", help="Read passages with the reader (a folder)."
    )
    parser.add_argument("--reader-threshold", type=float, help="The reader's no-answer threshold.")
    parser.add_argument(
        "--support",
        type=int,
        default=ANSWER_TUNING.support_sentences,
        help="Sentences after the answering one.",
    )
    parser.add_argument(
        "--reader-declines", action="store_true", help="Decline when the reader finds no answer."
    )
    parser.add_argument(
        "--read-passages",
        type=int,
        default=ANSWER_TUNING.read_passages,
        help="Passages the reader reads per question.",
    )
    parser.add_argument(
        "--through-conversation",
        action="store_true",
        help="Ask each question alone through the bot's conversation code, as in a new chat.",
    )
    args = parser.parse_args()

    set_threads(1)
    embedder = load_embedder(args.model)
    questions = read_questions(args.questions)
    articles = args.articles or ROOT / library_of(args.questions)
    with tempfile.TemporaryDirectory() as folder:
        index_dir = args.index_dir or Path(folder) / "index"
        searcher = open_library(embedder, articles, index_dir, args.profile)
        answerer = Answerer(
            lambda: searcher,
            embedder,
            threshold=args.threshold,
            sentences=args.sentences,
            scope_margin=args.scope_margin,
            reader=_reader(args.reader, args.reader_threshold),
            support_sentences=args.support,
            reader_declines=args.reader_declines,
            tuning=dataclasses.replace(ANSWER_TUNING, read_passages=args.read_passages),
        )
        answerer.answer("warm-up question about the talks")
        rows = []
        for item in questions:
            started = time.perf_counter()
            if args.through_conversation:
                alone = understand(item["question"], None, None)
                answer = answer_understood(answerer, alone, None, track=None)
            else:
                answer = answerer.answer(item["question"])
            latency = (time.perf_counter() - started) * 1000
            best = max((r["cosine"] for r in answer.retrieved), default=0.0)
            top3 = _article_ids(answer, 3)
            period = named_period(item["question"], searcher.newest_published)
            dated_out = outside_coverage(
                item["question"], period, searcher.oldest_published, searcher.newest_published
            )
            rows.append(
                {**item, "answer": answer, "latency": latency, "best": best, "top3": top3}
                | {"margin": answer.scope_margin, "dated_out": dated_out}
            )

    print(
        f"model {args.model}, threshold {answerer.threshold}, scope margin {answerer.scope.minimum}"
        f", {len(questions)} questions from {', '.join(p.name for p in resolve(args.questions))}\n"
    )
    print(
        "| language | questions | recall@3 | fact in answer | answered (in scope) "
        "| abstained (out of scope) |"
    )
    print("|---|---|---|---|---|---|")
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["language"]].append(row)
        groups["all"].append(row)
    for language in ("en", "uk", "ru", "all"):
        group = groups.get(language, [])
        inside = [r for r in group if r["in_scope"]]
        outside = [r for r in group if not r["in_scope"]]
        recall = np.mean([r["expected_article"] in r["top3"] for r in inside]) if inside else 0
        with_fact = [r for r in inside if _facts(r)]
        facts = np.mean([_has_fact(r, r["answer"].text) for r in with_fact]) if with_fact else 0
        answered = np.mean([not r["answer"].abstained for r in inside]) if inside else 0
        abstained = np.mean([r["answer"].abstained for r in outside]) if outside else 0
        print(
            f"| {language} | {len(group)} | {recall:.2f} | {facts:.2f} | {answered:.2f} "
            f"| {abstained:.2f} ({len(outside)}) |"
        )
    latencies = sorted(r["latency"] for r in rows)
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(
        f"\nanswer latency (warm, 1 thread): p50 {statistics.median(latencies):.0f} ms, "
        f"p99 {p99:.0f} ms over {len(latencies)} questions"
    )
    factoid = [r for r in rows if r["in_scope"] and not r["status"] and not r["answer"].abstained]
    if factoid:
        lengths = [len(r["answer"].text) for r in factoid]
        read = sum(r["answer"].mode == "reader" for r in factoid)
        print(
            f"factoid answers: median {statistics.median(lengths):.0f} characters; "
            f"led by the reader's span {read} of {len(factoid)}"
        )
    reasons = Counter(r["answer"].abstain_reason for r in rows if r["answer"].abstained)
    print("declined by reason: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    misses = [r for r in rows if r["in_scope"] and r["expected_article"] not in r["top3"]]
    fact_misses = [
        r for r in rows if r["in_scope"] and _facts(r) and not _has_fact(r, r["answer"].text)
    ]
    kinds = Counter(_miss_kind(row) for row in fact_misses)
    # Counts only: a fresh set's questions stay unseen unless --show-misses is given.
    print(
        f"{len(misses)} recall misses; fact misses by kind: "
        + (", ".join(f"{kind} {count}" for kind, count in kinds.most_common()) or "none")
    )
    if args.through_conversation:
        _print_conversation_refusals(rows, args.show_misses)
    if args.show_misses:
        for row in misses:
            print(
                f"  recall miss [{row['language']}] {row['id']}: {row['question']} -> {row['top3']}"
            )
        for row in rows:
            fact = _facts(row)
            if row in fact_misses:
                print(
                    f"  fact miss ({_miss_kind(row)}) [{row['language']}] {row['id']}: "
                    f"{row['question']} (wanted {fact!r})\n      {row['answer'].text[:300]!r}"
                )
            if not row["in_scope"] and not row["answer"].abstained:
                print(
                    f"  answered out of scope [{row['language']}] {row['id']}: {row['question']} "
                    f"(best cosine {row['best']:.3f}, scope margin {row['margin']})"
                )
    if args.calibrate:
        _print_calibration(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
