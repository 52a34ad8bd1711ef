"""SQuAD 2.0 files: reading examples, splitting by article and the official EM/F1 scoring."""

from __future__ import annotations

import collections
import json
import re
import string
from dataclasses import dataclass
from pathlib import Path


class SquadFileError(ValueError):
    """A SQuAD file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Example:
    """One question over one paragraph, with its answers (none when unanswerable)."""

    id: str
    article: str
    question: str
    context: str
    answers: tuple[str, ...]
    answer_starts: tuple[int, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def read_examples(path: Path) -> list[Example]:
    """Return every question of a SQuAD 2.0-format file, in file order."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SquadFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SquadFileError(f"{path}: cannot be read ({error})") from None
    except json.JSONDecodeError as error:
        raise SquadFileError(f"{path}: not valid JSON (line {error.lineno})") from None
    articles = document.get("data") if isinstance(document, dict) else None
    if not isinstance(articles, list):
        raise SquadFileError(f'{path}: no "data" list of articles (is it SQuAD format?)')
    examples: list[Example] = []
    for number, article in enumerate(articles):
        title = str(article.get("title") or f"article-{number}")
        for paragraph in article.get("paragraphs", []):
            context = paragraph.get("context")
            for qa in paragraph.get("qas", []):
                question_id = qa.get("id", "?")
                if not isinstance(context, str) or not context.strip():
                    raise SquadFileError(f"{path}: question {question_id} has no context")
                if not isinstance(qa.get("question"), str) or not qa["question"].strip():
                    raise SquadFileError(f"{path}: question {question_id} has no question text")
                answers = [] if qa.get("is_impossible") else qa.get("answers", [])
                examples.append(
                    Example(
                        id=str(question_id),
                        article=title,
                        question=qa["question"].strip(),
                        context=context,
                        answers=tuple(answer["text"] for answer in answers),
                        answer_starts=tuple(int(answer["answer_start"]) for answer in answers),
                    )
                )
    return examples


def split_by_article(
    examples: list[Example], held_out: set[str]
) -> tuple[list[Example], list[Example]]:
    """Split into (the rest, the held-out articles); paragraphs never straddle the split."""
    rest = [example for example in examples if example.article not in held_out]
    kept = [example for example in examples if example.article in held_out]
    return rest, kept


def normalize_answer(text: str) -> str:
    """Lower-case, drop punctuation, articles and extra spaces, as the official scorer does."""
    text = text.lower()
    text = "".join(character for character in text if character not in _PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


_PUNCTUATION = set(string.punctuation)


def exact_match(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def f1_score(prediction: str, gold: str) -> float:
    predicted, expected = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not predicted or not expected:
        return float(predicted == expected)
    common = collections.Counter(predicted) & collections.Counter(expected)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(predicted), overlap / len(expected)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Scores:
    """EM and F1 over all questions and over the answerable and unanswerable ones (percent)."""

    exact: float
    f1: float
    has_answer_f1: float
    no_answer_f1: float
    questions: int

    def line(self) -> str:
        return (
            f"EM {self.exact:.1f}  F1 {self.f1:.1f}  HasAns F1 {self.has_answer_f1:.1f}  "
            f"NoAns F1 {self.no_answer_f1:.1f}  ({self.questions} questions)"
        )


def score(examples: list[Example], predictions: dict[str, str]) -> Scores:
    """Score predictions ({id: text}, "" for no answer) against the examples' answers."""
    exact: dict[str, float] = {}
    f1: dict[str, float] = {}
    for example in examples:
        predicted = predictions.get(example.id, "")
        golds = [answer for answer in example.answers if normalize_answer(answer)] or [""]
        exact[example.id] = max(exact_match(predicted, gold) for gold in golds)
        f1[example.id] = max(f1_score(predicted, gold) for gold in golds)

    def mean(values: list[float]) -> float:
        return 100.0 * sum(values) / len(values) if values else float("nan")

    has = [f1[example.id] for example in examples if example.answerable]
    has_not = [f1[example.id] for example in examples if not example.answerable]
    return Scores(
        exact=mean(list(exact.values())),
        f1=mean(list(f1.values())),
        has_answer_f1=mean(has),
        no_answer_f1=mean(has_not),
        questions=len(examples),
    )
