"""The answers bench's printed report: a table per language, latency, declines and misses."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import numpy as np
from answer_scoring import facts, has_fact, miss_kind


def print_table(rows: list[dict]) -> None:
    """Print recall@3, facts in answers, answered and abstained shares per language."""
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
        with_fact = [r for r in inside if facts(r)]
        given = np.mean([has_fact(r, r["answer"].text) for r in with_fact]) if with_fact else 0
        answered = np.mean([not r["answer"].abstained for r in inside]) if inside else 0
        abstained = np.mean([r["answer"].abstained for r in outside]) if outside else 0
        print(
            f"| {language} | {len(group)} | {recall:.2f} | {given:.2f} | {answered:.2f} "
            f"| {abstained:.2f} ({len(outside)}) |"
        )


def print_summary(rows: list[dict], through_conversation: bool, show_misses: bool) -> None:
    """Print latency, answer lengths, declines by reason and misses (listed with show_misses)."""
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
        r for r in rows if r["in_scope"] and facts(r) and not has_fact(r, r["answer"].text)
    ]
    kinds = Counter(miss_kind(row) for row in fact_misses)
    # Counts only: a fresh set's questions stay unseen unless --show-misses is given.
    print(
        f"{len(misses)} recall misses; fact misses by kind: "
        + (", ".join(f"{kind} {count}" for kind, count in kinds.most_common()) or "none")
    )
    if through_conversation:
        _print_conversation_refusals(rows, show_misses)
    if show_misses:
        _print_misses(rows, misses, fact_misses)


def _print_misses(rows: list[dict], misses: list[dict], fact_misses: list[dict]) -> None:
    """List the recall misses, the fact misses and the out-of-scope questions answered."""
    for row in misses:
        print(f"  recall miss [{row['language']}] {row['id']}: {row['question']} -> {row['top3']}")
    for row in rows:
        fact = facts(row)
        if row in fact_misses:
            print(
                f"  fact miss ({miss_kind(row)}) [{row['language']}] {row['id']}: "
                f"{row['question']} (wanted {fact!r})\n      {row['answer'].text[:300]!r}"
            )
        if not row["in_scope"] and not row["answer"].abstained:
            print(
                f"  answered out of scope [{row['language']}] {row['id']}: {row['question']} "
                f"(best cosine {row['best']:.3f}, scope margin {row['margin']})"
            )


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
