"""The reader: SQuAD files and scoring, windows, span decoding and a tiny ONNX reader."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.reader.decode import MAX_ANSWER_TOKENS, Span, best_per_item, best_span, trimmed
from bot.reader.features import BEGIN, END, PAD, Window, batch_arrays, question_ids, windows
from bot.reader.model import Reader, ReaderError
from bot.reader.squad import SquadFileError, f1_score, read_examples, score, split_by_article
from tests.support.readers import tiny_reader_folder

DATA = Path(__file__).parent / "data"
SMALL = DATA / "squad-small.json"


@pytest.fixture(scope="module")
def tiny_reader(tmp_path_factory: pytest.TempPathFactory) -> Reader:
    return Reader.load(tiny_reader_folder(tmp_path_factory.mktemp("reader")))


def test_read_examples_keeps_answers_and_marks_unanswerable() -> None:
    examples = read_examples(SMALL)
    assert [example.id for example in examples] == ["ist-1", "ist-2", "ist-3", "ru-1"]
    first = examples[0]
    assert first.answers == ("16 May 2025",)
    assert first.context[first.answer_starts[0] :].startswith("16 May 2025")
    assert not examples[2].answerable


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ('{"version": 2}', 'no "data" list'),
        (
            '{"data": [{"paragraphs": [{"context": "", '
            '"qas": [{"id": "q1", "question": "Why?"}]}]}]}',
            "q1 has no context",
        ),
    ],
)
def test_bad_squad_files_raise_one_line_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SquadFileError) as raised:
        read_examples(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_split_by_article_never_splits_a_paragraph() -> None:
    rest, kept = split_by_article(read_examples(SMALL), {"Переговоры"})
    assert [example.id for example in kept] == ["ru-1"]
    assert {example.article for example in rest} == {"Istanbul talks"}


def test_scores_follow_the_official_definitions() -> None:
    examples = read_examples(SMALL)
    predictions = {"ist-1": "16 May", "ist-2": "1,000", "ist-3": "", "ru-1": "Москве"}
    scores = score(examples, predictions)
    # ist-1: precision 1, recall 2/3 -> F1 0.8; ist-2 and ist-3 exact; ru-1 wrong.
    assert f1_score("16 May", "16 May 2025") == pytest.approx(0.8)
    assert scores.exact == pytest.approx(50.0)
    assert scores.f1 == pytest.approx(100 * (0.8 + 1 + 1 + 0) / 4)
    assert scores.has_answer_f1 == pytest.approx(100 * (0.8 + 1 + 0) / 3)
    assert scores.no_answer_f1 == pytest.approx(100.0)


def test_training_window_labels_point_at_the_answer() -> None:
    example = read_examples(SMALL)[1]
    start = example.answer_starts[0]
    [window] = windows(
        0,
        question_ids(example.question),
        example.context,
        answer=(start, start + len(example.answers[0])),
    )
    assert window.ids[0] == BEGIN and window.ids[-1] == END
    first, last = window.token_span(window.start_label, window.end_label)
    assert example.context[first:last].strip() == "1,000"


def test_long_passages_overlap_and_a_window_without_the_answer_points_at_begin() -> None:
    passage = " ".join(f"Sentence number {n} mentions the talks." for n in range(120))
    answer_at = passage.index("number 100")
    cut = windows(0, question_ids("Which number?"), passage, answer=(answer_at, answer_at + 10))
    assert len(cut) > 2 and all(len(window.ids) <= 256 for window in cut)
    assert cut[0].start_label == cut[0].end_label == 0
    holding = [window for window in cut if window.start_label]
    assert holding, "some window must hold the answer whole"
    for window in holding:
        first, last = window.token_span(window.start_label, window.end_label)
        assert passage[first:last].strip() == "number 100"
    # Consecutive windows overlap, so no answer falls between them.
    assert cut[1].offsets[0][0] < cut[0].offsets[-1][1]


def test_questions_are_cut_to_their_budget() -> None:
    assert len(question_ids("why " * 200)) == 48


def test_batches_are_padded_and_masked() -> None:
    short = Window(0, (BEGIN, 5, END), 1, ((0, 1),))
    longer = Window(1, (BEGIN, 5, 6, 7, END), 1, ((0, 1), (2, 3), (4, 5)))
    ids, mask = batch_arrays([short, longer])
    assert ids.shape == mask.shape == (2, 5)
    assert list(ids[0]) == [BEGIN, 5, END, PAD, PAD] and list(mask[0]) == [1, 1, 1, 0, 0]


def _window(length: int) -> Window:
    offsets = tuple((4 * n, 4 * n + 3) for n in range(length))
    return Window(0, (BEGIN, 9, END, END, *range(10, 10 + length), END), 4, offsets)


def test_best_span_takes_the_highest_start_plus_end_with_end_after_start() -> None:
    window = _window(6)
    start = np.full(len(window.ids), -5.0)
    end = np.full(len(window.ids), -5.0)
    start[0], end[0] = 1.0, 1.0  # no answer scores 2
    start[4 + 3], end[4 + 1] = 4.0, 9.0  # end before start: not allowed
    end[4 + 4] = 3.0
    span = best_span(window, start, end)
    assert span is not None
    assert (span.start, span.end) == (12, 19)  # tokens 3..4
    assert span.score == pytest.approx(7.0) and span.margin == pytest.approx(5.0)


def test_best_span_never_exceeds_the_longest_answer() -> None:
    window = _window(MAX_ANSWER_TOKENS + 10)
    start = np.zeros(len(window.ids))
    end = np.zeros(len(window.ids))
    start[4], end[4 + MAX_ANSWER_TOKENS + 5] = 10.0, 10.0
    span = best_span(window, start, end)
    assert span is not None
    assert span.end - span.start <= 4 * MAX_ANSWER_TOKENS


def test_best_per_item_keeps_the_best_span_against_the_lowest_no_answer() -> None:
    spans = [Span(0, 0, 4, 3.0, 2.0), Span(0, 10, 14, 5.0, 4.0), None, Span(1, 0, 2, 1.0, 3.0)]
    best = best_per_item(spans)
    assert (best[0].start, best[0].score, best[0].no_answer) == (10, 5.0, 2.0)
    assert best[1].margin == pytest.approx(-2.0)


def test_trimmed_drops_spaces_and_stray_punctuation() -> None:
    text = "They met , in Istanbul; then left."
    assert text[slice(*trimmed(text, 8, 22))] == "in Istanbul"


def test_tiny_reader_reads_each_passage_and_quotes_from_it(tiny_reader: Reader) -> None:
    passages = [
        "The talks in Istanbul started on 16 May 2025 and lasted under two hours.",
        "Переговоры прошли в Стамбуле.",
        "A long report. " * 80,
    ]
    found = tiny_reader.read("When did the talks start?", passages)
    assert sorted(item.passage for item in found) == [0, 1, 2]
    margins = [item.margin for item in found]
    assert margins == sorted(margins, reverse=True)
    for item in found:
        assert item.text == passages[item.passage][item.start : item.end]


def test_batched_reading_matches_reading_passages_one_by_one(tiny_reader: Reader) -> None:
    passages = ["Delegations met in Geneva on 23 November.", "Prisoners were exchanged in May."]
    together = {item.passage: item for item in tiny_reader.read("Where did they meet?", passages)}
    for number, passage in enumerate(passages):
        [alone] = tiny_reader.read("Where did they meet?", [passage])
        assert alone.text == together[number].text
        # int8 activations are quantised per batch, so margins agree closely, not exactly.
        assert alone.margin == pytest.approx(together[number].margin, abs=0.1)


def test_answer_respects_the_threshold(tiny_reader: Reader) -> None:
    passages = ["The talks in Istanbul started on 16 May 2025."]
    best = tiny_reader.read("When?", passages)[0]
    tiny_reader.threshold = best.margin + 1.0
    assert tiny_reader.answer("When?", passages) is None
    tiny_reader.threshold = best.margin - 1.0
    answer = tiny_reader.answer("When?", passages)
    assert answer is not None and answer.text == best.text


def test_a_missing_reader_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="reader card not found"):
        Reader.load(tmp_path)
    (tmp_path / "reader.json").write_text(json.dumps({"threshold": 1.0}))
    with pytest.raises(ReaderError, match="reader model not found"):
        Reader.load(tmp_path)
