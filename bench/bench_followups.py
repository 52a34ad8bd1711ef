"""Follow-up questions: the 2nd and 3rd turns of dialogues, with the conversation and alone.

    python bench/bench_followups.py [--model NAME] [--questions FILE ...] [--index-dir DIR]
        [--dump FILE]

Builds an index of data/articles with the chosen model through the normal ingest path, then
plays each dialogue of bench/questions/followups/ (one JSON object a line: `id`, `language`,
`turns` of `question`, `expected_article`, `expected_fact`) through the bot's own conversation
code and Answerer (no logging). With memory, every turn is read against the ones before it; alone,
each follow-up is asked with nothing before it. Prints, per language, top-3 article and fact for
the follow-ups with memory, and what the same follow-ups get alone: asked for the whole question,
asked which talks, declined, answered from the right article, or answered about another subject.
Several sets are played one after the other on one index, each with its own tables; `--dump`
writes every row (the set's name, the turn, with memory or alone, the answer) as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from answer_library import open_library  # noqa: E402
from answer_scoring import article_ids, has_fact  # noqa: E402

from bot.answers.answerer import Answerer  # noqa: E402
from bot.conversation import (  # noqa: E402
    ConversationMemory,
    answer_understood,
    remember,
    understand,
)
from index.embedders.base import set_threads  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402

DEFAULT_SET = ROOT / "bench/questions/followups/followups-01.jsonl"
BARS = {"top3": 0.9, "fact": 0.85}


def read_dialogues(path: Path) -> list[dict]:
    """Read one dialogue a line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def play(answerer: Answerer, dialogue: dict) -> list[dict]:
    """Answer every turn with the conversation's memory; return a row per turn."""
    memory = ConversationMemory(turns=5)
    key = ("bench", dialogue["id"])
    rows = []
    for number, turn in enumerate(dialogue["turns"], start=1):
        understood = understand(turn["question"], memory, key)
        answer = answer_understood(answerer, understood, None, track=None)
        remember(memory, key, understood, answer)
        rows.append(_row(dialogue, number, turn, answer, understood.query))
    return rows


def alone(answerer: Answerer, dialogue: dict) -> list[dict]:
    """Ask each follow-up (turn 2 on) with nothing before it."""
    rows = []
    for number, turn in enumerate(dialogue["turns"][1:], start=2):
        understood = understand(turn["question"], None, None)
        answer = answer_understood(answerer, understood, None, track=None)
        rows.append(_row(dialogue, number, turn, answer, understood.query))
    return rows


def _row(dialogue: dict, number: int, turn: dict, answer, query: str) -> dict:  # type: ignore[no-untyped-def]
    top3 = article_ids(answer, 3)
    cited = {citation.article_id for citation in answer.sources}
    return {
        "id": f"{dialogue['id']}.{number}",
        "language": dialogue["language"],
        "turn": number,
        "question": turn["question"],
        "query": query,
        "expected_article": turn["expected_article"],
        "expected_fact": turn["expected_fact"],
        "top3": turn["expected_article"] in top3,
        "fact": not answer.abstained and has_fact(turn, answer.text),
        "abstained": answer.abstained,
        "reason": answer.abstain_reason,
        "mode": answer.mode,
        "cites_expected": turn["expected_article"] in cited,
        "text": answer.text,
    }


def _share(rows: list[dict], key: str) -> float:
    return sum(bool(row[key]) for row in rows) / len(rows) if rows else 0.0


def report(with_memory: list[dict], without: list[dict], show_misses: bool) -> None:
    """Print the tables."""
    by_language: dict[str, list[dict]] = defaultdict(list)
    for row in with_memory:
        by_language[row["language"]].append(row)
    print("| language | first turns | top-3 | fact | follow-ups | top-3 | fact | declined |")
    print("|---|---|---|---|---|---|---|---|")
    for language in [*sorted(by_language), "all"]:
        rows = with_memory if language == "all" else by_language[language]
        first = [r for r in rows if r["turn"] == 1]
        later = [r for r in rows if r["turn"] > 1]
        print(
            f"| {language} | {len(first)} | {_share(first, 'top3'):.2f} | "
            f"{_share(first, 'fact'):.2f} | {len(later)} | {_share(later, 'top3'):.2f} | "
            f"{_share(later, 'fact'):.2f} | {_share(later, 'abstained'):.2f} |"
        )
    later = [r for r in with_memory if r["turn"] > 1]
    verdicts = {
        key: ("met" if _share(later, key) >= bar else "NOT met") for key, bar in BARS.items()
    }
    print(
        f"\nbars: top-3 ≥ {BARS['top3']} {verdicts['top3']}; "
        f"fact ≥ {BARS['fact']} {verdicts['fact']}"
    )
    which_talks = [r for r in without if r["mode"] == "which_talks"]
    incomplete = [r for r in without if r["reason"] == "incomplete" and r["mode"] != "which_talks"]
    declined = [r for r in without if r["abstained"] and r["reason"] != "incomplete"]
    answered = [r for r in without if not r["abstained"]]
    elsewhere = [r for r in answered if not r["cites_expected"]]
    print(
        f"\nthe {len(without)} follow-ups alone: {len(incomplete)} asked for the whole question, "
        f"{len(which_talks)} asked which talks, {len(declined)} declined, "
        f"{len(answered) - len(elsewhere)} answered citing the expected "
        f"article, {len(elsewhere)} answered about another subject"
    )
    if show_misses:
        for row in later:
            if not (row["top3"] and row["fact"]):
                print(f"\nmiss {row['id']} [{row['language']}] {row['question']!r}")
                print(
                    f"  query {row['query']!r}; wanted {row['expected_article']} / "
                    f"{row['expected_fact']!r}; top-3 {row['top3']}; fact {row['fact']}"
                )
                print(f"  {row['text'][:300]!r}")
        for row in elsewhere:
            print(
                f"\nalone, another subject {row['id']}: {row['question']!r}\n"
                f"  {row['text'][:200]!r}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="multilingual-e5-small")
    parser.add_argument("--questions", type=Path, nargs="+", default=[DEFAULT_SET])
    parser.add_argument("--articles", type=Path, default=ROOT / "data/articles")
    parser.add_argument("--index-dir", type=Path, help="Keep the index here and reuse it.")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--dump", type=Path, help="Write every row here as JSON lines.")
    args = parser.parse_args()

    set_threads(1)
    embedder = load_embedder(args.model)
    with tempfile.TemporaryDirectory() as folder:
        searcher = open_library(embedder, args.articles, args.index_dir or Path(folder) / "index")
        answerer = Answerer(lambda: searcher, embedder)
        dumped = []
        for path in args.questions:
            dialogues = read_dialogues(path)
            with_memory = [row for dialogue in dialogues for row in play(answerer, dialogue)]
            without = [row for dialogue in dialogues for row in alone(answerer, dialogue)]
            print(
                f"model {args.model}, threshold {answerer.threshold}, {len(dialogues)} dialogues "
                f"from {path.name}\n"
            )
            report(with_memory, without, args.show_misses)
            print()
            dumped += [{"set": path.stem, "memory": True, **row} for row in with_memory]
            dumped += [{"set": path.stem, "memory": False, **row} for row in without]
    if args.dump:
        lines = (json.dumps(row, ensure_ascii=False) for row in dumped)
        args.dump.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
