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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from answer_calibration import print_calibration  # noqa: E402
from answer_library import load_reader, open_library  # noqa: E402
from answer_report import print_summary, print_table  # noqa: E402
from answer_scoring import article_ids  # noqa: E402
from question_sets import library_of, read_questions, resolve  # noqa: E402

from bot.answers.answerer import Answerer  # noqa: E402
from bot.answers.questions import named_period, outside_coverage  # noqa: E402
from bot.answers.tuning import ANSWER_TUNING  # noqa: E402
from bot.config import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from bot.conversation import answer_understood, understand  # noqa: E402
from index.embedders.base import set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402


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
            reader=load_reader(args.reader, args.reader_threshold),
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
            top3 = article_ids(answer, 3)
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
    print_table(rows)
    print_summary(rows, args.through_conversation, args.show_misses)
    if args.calibrate:
        print_calibration(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
