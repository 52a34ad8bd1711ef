"""Calibrating the abstention threshold (and scope margin) on the answers bench's rows."""

from __future__ import annotations

import itertools
import statistics

import numpy as np


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


def print_calibration(rows: list[dict]) -> None:
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
