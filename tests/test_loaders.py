"""Loaders: every supported format loads, every kind of bad input becomes one clear problem."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from index.documents import Article, LoadProblem
from index.loaders import SUPPORTED_SUFFIXES, load_articles
from index.normalize import detect_language, normalize_text

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"

FRONT_MATTER = """---
title: Talks resume in Istanbul
published: 2025-06-02
source: Sample Wire
---
"""
BODY = "Delegations met again on Monday.\n\nThey agreed to exchange prisoners."


def load(*paths: str | Path) -> tuple[list[Article], list[LoadProblem]]:
    results = list(load_articles(paths))
    articles = [r for r in results if isinstance(r, Article)]
    problems = [r for r in results if isinstance(r, LoadProblem)]
    assert len(articles) + len(problems) == len(results)
    return articles, problems


def only_problem(*paths: str | Path) -> LoadProblem:
    articles, problems = load(*paths)
    assert articles == []
    assert len(problems) == 1, problems
    return problems[0]


def jsonl_line(**fields: str) -> str:
    import json

    record = {
        "title": "Talks resume",
        "text": "Delegations met again.",
        "published": "2025-06-02",
        "source": "Sample Wire",
    }
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)


# --- good formats -------------------------------------------------------------------------


def test_supported_suffixes_cover_every_format() -> None:
    assert {".jsonl", ".md", ".txt", ".html", ".htm"} <= SUPPORTED_SUFFIXES


def test_jsonl_fixture_loads_every_line_with_fields_and_languages() -> None:
    articles, problems = load(GOOD / "articles.jsonl")
    assert problems == []
    assert [a.language for a in articles] == ["en", "uk", "ru"]
    first, second, third = articles
    assert first.id == "sample-001"
    assert first.title == "First round of direct talks held in Istanbul"
    assert first.published == date(2025, 5, 16)
    assert first.source == "Sample Wire"
    assert first.url == "https://wire.example.org/2025/05/16/istanbul-talks"
    assert first.text.startswith("Delegations from Ukraine and Russia met in Istanbul")
    assert "\n\n" in first.text  # paragraph break kept
    assert second.published == date(2025, 6, 2)  # ISO datetime with Z keeps the calendar date
    assert third.id == "" and third.url == ""  # optional fields may be absent
    assert third.source == "Пример Новостей"


def test_markdown_front_matter_loads_and_drops_the_repeated_heading() -> None:
    articles, problems = load(GOOD / "istanbul-second-round.md")
    assert problems == []
    (article,) = articles
    assert article.title == "Second round of talks ends after about an hour"
    assert article.published == date(2025, 6, 2)
    assert article.source == "Sample Wire"
    assert article.url == "https://wire.example.org/2025/06/02/second-round"
    assert article.id == "sample-md-001"
    assert article.language == "en"
    assert article.text.startswith("The second round of direct talks")
    assert not article.text.startswith("#")
    assert article.text.endswith("conditions for\na ceasefire.")


def test_text_file_front_matter_with_datetime_and_declared_language() -> None:
    articles, problems = load(GOOD / "ceasefire-proposal.txt")
    assert problems == []
    (article,) = articles
    assert article.title == "Україна запропонувала безумовне припинення вогню"
    assert article.published == date(2025, 5, 12)  # YAML-native datetime, local date kept
    assert article.source == "Зразкові новини"
    assert article.language == "uk"
    assert article.text.count("\n\n") == 1


def test_html_drops_boilerplate_and_reads_meta_tags() -> None:
    articles, problems = load(GOOD / "prisoner-exchange.html")
    assert problems == []
    (article,) = articles
    assert article.title == "Delegations agree on prisoner exchange in Istanbul"
    assert article.published == date(2025, 6, 2)
    assert article.source == "Sample Wire"
    assert article.url == "https://wire.example.org/2025/06/02/prisoner-exchange"
    assert article.language == "en"
    assert article.text.startswith("The Ukrainian and Russian delegations met in Istanbul")
    assert article.text.count("\n\n") == 3  # four paragraphs, the <h1> title not repeated
    for boilerplate in ("cookies", "Subscribe", "All rights reserved", "Privacy policy", "Home"):
        assert boilerplate not in article.text


def test_html_without_site_name_falls_back_to_host(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} describes the negotiations in enough words to count as real "
        f"article text for the extractor, with details of who met and what they said.</p>"
        for n in range(1, 5)
    )
    page = tmp_path / "page.htm"
    page.write_text(
        "<html><head><title>Negotiators meet again</title>"
        '<meta property="article:published_time" content="2025-07-23">'
        '<link rel="canonical" href="https://news.example.com/a/1"></head>'
        f"<body><article><h1>Negotiators meet again</h1>{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    articles, problems = load(page)
    assert problems == []
    (article,) = articles
    assert article.published == date(2025, 7, 23)
    assert article.source == "news.example.com"
    assert article.text.count("\n\n") == 3


def test_folder_loads_recursively_in_sorted_order_and_skips_hidden_and_unknown(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "second.md").write_text(FRONT_MATTER + BODY, encoding="utf-8")
    (tmp_path / "a.jsonl").write_text(jsonl_line(title="First") + "\n", encoding="utf-8")
    (tmp_path / "c.MD").write_text(FRONT_MATTER + BODY, encoding="utf-8")
    (tmp_path / ".draft.md").write_text("not front matter", encoding="utf-8")
    (tmp_path / ".hidden" / "x.jsonl").write_text("{broken", encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\x00")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    results = list(load_articles([tmp_path]))
    assert all(isinstance(r, Article) for r in results), results
    assert [r.title for r in results if isinstance(r, Article)] == [
        "First",
        "Talks resume in Istanbul",  # b/second.md
        "Talks resume in Istanbul",  # c.MD, upper-case suffix
    ]
    assert results == list(load_articles([str(tmp_path)]))  # deterministic, str paths too


def test_fixture_folders_mix_good_and_bad_without_stopping() -> None:
    articles, problems = load(GOOD, BAD)
    assert len(articles) == 7  # 3 JSONL + md + txt + html + the good line in bad/mixed.jsonl
    assert {Path(p.path).name for p in problems} == {
        "binary.txt",
        "malformed-front-matter.md",
        "mixed.jsonl",
        "no-front-matter.txt",
    }  # unsupported.pdf is skipped silently inside a folder


# --- bad input: one clear problem each, others still load ---------------------------------


def test_jsonl_bad_lines_report_line_numbers_and_good_lines_still_load() -> None:
    articles, problems = load(BAD / "mixed.jsonl")
    assert [a.title for a in articles] == ["A good line"]
    assert [(p.line, p.reason.split(":")[0]) for p in problems] == [
        (2, "bad JSON"),
        (3, "line is a JSON array, not an object"),
        (4, "missing published date"),
    ]
    assert all(p.path.endswith("mixed.jsonl") for p in problems)
    assert str(problems[0]).startswith(f"{BAD / 'mixed.jsonl'}:2: bad JSON")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": None}, "missing title"),
        ({"title": "   "}, "empty title"),
        ({"text": None}, "missing text"),
        ({"text": "\u200b \n"}, "empty text"),
        ({"published": None}, "missing published date"),
        ({"published": "yesterday"}, "published 'yesterday' is not an ISO date"),
        ({"published": "2025-13-45"}, "published '2025-13-45' is not an ISO date"),
        ({"source": None}, "missing source"),
        ({"source": ""}, "empty source"),
    ],
)
def test_jsonl_field_problems(tmp_path: Path, fields: dict[str, str], reason: str) -> None:
    file = tmp_path / "feed.jsonl"
    good = jsonl_line(title="Still loads")
    file.write_text(f"{good}\n\n{jsonl_line(**fields)}\n", encoding="utf-8")
    articles, problems = load(file)
    assert [a.title for a in articles] == ["Still loads"]
    (problem,) = problems
    assert problem.path == str(file)
    assert problem.line == 3  # blank lines still count
    assert problem.reason.startswith(reason)
    assert "\n" not in problem.reason


def test_jsonl_non_object_and_wrong_typed_fields(tmp_path: Path) -> None:
    file = tmp_path / "feed.jsonl"
    file.write_text(
        '"just a string"\n{"title": ["a"], "text": "x", "published": 2025, "source": "S"}\n',
        encoding="utf-8",
    )
    _, problems = load(file)
    assert [(p.line, p.reason) for p in problems] == [
        (1, "line is a JSON string, not an object"),
        (2, "title must be text, not array; published 2025 is not an ISO date (expected e.g. "
            "2025-06-02)"),
    ]  # fmt: skip


def test_missing_several_fields_is_still_one_problem(tmp_path: Path) -> None:
    file = tmp_path / "bare.md"
    file.write_text("---\ntitle: Only a title\n---\n" + BODY, encoding="utf-8")
    problem = only_problem(file)
    assert problem.reason == "missing published date; missing source"


def test_front_matter_problems() -> None:
    malformed = only_problem(BAD / "malformed-front-matter.md")
    assert malformed.reason.startswith("malformed YAML front matter")
    assert malformed.line is not None and 2 <= malformed.line <= 4
    no_front_matter = only_problem(BAD / "no-front-matter.txt")
    assert no_front_matter.reason.startswith("no YAML front matter")


def test_front_matter_never_closed_or_not_a_mapping(tmp_path: Path) -> None:
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("---\ntitle: x\n\nBody without a closing fence.\n", encoding="utf-8")
    assert "never closed" in only_problem(unclosed).reason
    listed = tmp_path / "listed.md"
    listed.write_text("---\n- a\n- b\n---\nBody\n", encoding="utf-8")
    assert "not a mapping" in only_problem(listed).reason


def test_front_matter_with_no_body_is_missing_text(tmp_path: Path) -> None:
    file = tmp_path / "empty-body.md"
    file.write_text(FRONT_MATTER + "\n   \n", encoding="utf-8")
    assert only_problem(file).reason == "empty text"


def test_bom_is_accepted(tmp_path: Path) -> None:
    file = tmp_path / "bom.md"
    file.write_bytes("\ufeff".encode() + (FRONT_MATTER + BODY).encode("utf-8"))
    articles, problems = load(file)
    assert problems == [] and articles[0].title == "Talks resume in Istanbul"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"\xef\xbb\xbf\n", "empty file"),
        (b"abc\x00def", "binary file (contains NUL bytes)"),
        (b"caf\xe9 latin-1 text", "not UTF-8 text"),
    ],
)
def test_unreadable_content_is_one_problem(tmp_path: Path, content: bytes, reason: str) -> None:
    file = tmp_path / "input.jsonl"
    file.write_bytes(content)
    problem = only_problem(file)
    assert problem.path == str(file)
    assert problem.reason.startswith(reason)


def test_unreadable_file_reports_the_os_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "locked.md"
    file.write_text(FRONT_MATTER + BODY, encoding="utf-8")
    original = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == file:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert only_problem(file).reason == "cannot read file: Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_unreadable_file_by_permissions(tmp_path: Path) -> None:
    file = tmp_path / "locked.md"
    file.write_text(FRONT_MATTER + BODY, encoding="utf-8")
    file.chmod(0)
    try:
        assert only_problem(file).reason == "cannot read file: Permission denied"
    finally:
        file.chmod(0o644)


def test_missing_path_and_unsupported_explicit_file() -> None:
    missing = only_problem(DATA / "does-not-exist.jsonl")
    assert missing.reason == "no such file or directory"
    assert missing.path.endswith("does-not-exist.jsonl")
    assert only_problem(BAD / "unsupported.pdf").reason == "unsupported file type .pdf"


def test_html_in_a_declared_legacy_charset_loads(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Абзац {n}: делегации обсудили условия прекращения огня и обмен пленными, "
        f"а также гуманитарные вопросы и возвращение детей.</p>"
        for n in range(1, 5)
    )
    page = tmp_path / "cp1251.html"
    page.write_bytes(
        (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            '<title>Переговоры</title><meta property="og:site_name" content="Пример">'
            '<meta property="article:published_time" content="2025-06-02"></head>'
            f"<body><article>{paragraphs}</article></body></html>"
        ).encode("cp1251")
    )
    articles, problems = load(page)
    assert problems == []
    assert articles[0].source == "Пример" and articles[0].language == "ru"
    assert articles[0].text.startswith("Абзац 1: делегации обсудили")


def test_html_without_text_is_a_problem(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(
        "<html><head><title>Nothing here</title></head><body><nav>Home</nav></body></html>",
        encoding="utf-8",
    )
    assert only_problem(page).reason == "no article text found in HTML"


def test_html_without_date_is_a_problem(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} says the delegations will keep talking about the ceasefire terms, "
        f"the exchange of prisoners and the return of children, officials explained.</p>"
        for n in range(1, 5)
    )
    page = tmp_path / "undated.html"
    page.write_text(
        '<html><head><title>Undated</title><meta property="og:site_name" content="Wire">'
        f"</head><body><article>{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    assert only_problem(page).reason == "missing published date"


def test_loader_never_raises_on_a_mixed_batch(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(FRONT_MATTER + BODY, encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"\x00\x01")
    articles, problems = load(tmp_path, tmp_path / "nope", tmp_path / "x.csv")
    assert [a.title for a in articles] == ["Talks resume in Istanbul"]
    assert [Path(p.path).name for p in problems] == ["bad.md", "nope", "x.csv"]


# --- language detection --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hi", "en"),
        ("Hello", "en"),
        ("ok", "en"),
        ("What's new?", "en"),
        ("Привіт", "uk"),
        ("Що нового?", "uk"),
        ("Привет", "ru"),
        ("Что нового?", "ru"),
        ("Объявлено перемирие", "ru"),
        ("Мир", "ru"),
        ("Переговори", "uk"),
        ("Коли будуть переговори?", "uk"),
        ("Когда будут переговоры?", "ru"),
        ("Зеленский", "ru"),
        ("Guten Tag", "de"),
        ("Bonjour", "fr"),
        ("12345 !!!", "en"),
        ("", "en"),
    ],
)
def test_detect_language_short_inputs(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "The delegations met in Istanbul for a second round of direct talks and agreed to "
            "exchange more prisoners of war, but remained far apart on a ceasefire.",
            "en",
        ),
        (
            "Делегації зустрілися в Стамбулі на другий раунд прямих переговорів і домовилися "
            "про новий обмін полоненими, але позиції щодо припинення вогню залишаються далекими.",
            "uk",
        ),
        (
            "Делегации встретились в Стамбуле на второй раунд прямых переговоров и договорились "
            "о новом обмене пленными, но позиции по прекращению огня остаются далёкими.",
            "ru",
        ),
        (
            "Die Delegationen trafen sich in Istanbul zu einer zweiten Verhandlungsrunde und "
            "vereinbarten einen weiteren Austausch von Kriegsgefangenen.",
            "de",
        ),
    ],
)
def test_detect_language_long_inputs(text: str, language: str) -> None:
    assert detect_language(text) == language
    assert detect_language(text) == detect_language(text)  # deterministic


def test_cyrillic_tie_breaker_uses_the_alphabet() -> None:
    # A Russian sentence naming Kyiv in Ukrainian spelling is still Russian: ы/э/ё outnumber і.
    assert detect_language("Это был Київ, мы были там, это было давно") == "ru"
    assert detect_language("Їжак і єнот ґаздують") == "uk"


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a   b\t\tc  ", "a b c"),
        ("one\r\n\r\n\r\n\r\ntwo", "one\n\ntwo"),
        ("one \n  \n\t\n two", "one\n\ntwo"),
        ("line one  \n  line two", "line one\nline two"),
        ("no\u00a0break\u202fspace", "no break space"),
        ("zero\u200bwidth\ufeff joiner\u200d", "zerowidth joiner"),
        ("soft\u00adhyphen", "softhyphen"),
        ("bell\x07 and\x1b escape\x00", "bell and escape"),
        ("e\u0301", "\u00e9"),  # NFC composes
        ("й", "й"),  # decomposed и + breve composes to й
        ("para\u2029next", "para\n\nnext"),
        ("form\ffeed", "form\nfeed"),
        ("", ""),
        (" \n\n ", ""),
    ],
)
def test_normalize_text(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


def test_normalize_keeps_ukrainian_apostrophes_and_quotes() -> None:
    for word in ("мʼясо", "м’ясо", "м'ясо", "«Мир»", "“peace”"):
        assert normalize_text(word) == word


def test_normalize_is_idempotent() -> None:
    raw = " Перемовини\u00a0у  Стамбулі \r\n\r\n\r\nтривали  годину\u200b. "
    once = normalize_text(raw)
    assert once == "Перемовини у Стамбулі\n\nтривали годину."
    assert normalize_text(once) == once
