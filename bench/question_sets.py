"""The evaluation question sets in bench/questions/ and their manifest.

A `--questions` argument of the bench scripts may be a file, a set's name (`ordinary-03`), or a
group: `development` (the sets read and tuned on), `held-out` (never tuned on), or a kind
(`ordinary`, `status`, `near-topic`, `near-miss`, `mixed`). bench/questions/manifest.tsv says, for
each set, what it tests, its language mix, whether it was used for development and the library its
questions are about; `development` and `held-out` name only the sets over `data/articles`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
MANIFEST = QUESTIONS_DIR / "manifest.tsv"
USES = ("development", "held-out")
DEFAULT_LIBRARY = "data/articles"


@dataclass(frozen=True)
class QuestionSet:
    """One row of the manifest."""

    name: str
    kind: str
    questions: int
    in_scope: int
    out_of_scope: int
    languages: dict[str, int]
    status: int
    use: str
    library: str
    note: str

    @property
    def path(self) -> Path:
        """The set's file."""
        return QUESTIONS_DIR / f"{self.name}.jsonl"


def manifest() -> list[QuestionSet]:
    """Every set, in the manifest's order."""
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        QuestionSet(
            name=row["set"],
            kind=row["kind"],
            questions=int(row["questions"]),
            in_scope=int(row["in_scope"]),
            out_of_scope=int(row["out_of_scope"]),
            languages={lang: int(row[lang]) for lang in ("en", "uk", "ru")},
            status=int(row["status"]),
            use=row["use"],
            library=row["library"],
            note=row["note"],
        )
        for row in rows
    ]


def resolve(names: list[str | Path]) -> list[Path]:
    """Files for a list of files, set names and groups, in the order given, each once."""
    sets = manifest()
    paths: list[Path] = []
    for name in names:
        text = str(name)
        chosen = [
            s.path
            for s in sets
            if text in (s.name, s.kind) or (text == s.use and s.library == DEFAULT_LIBRARY)
        ]
        if not chosen:
            path = Path(name)
            if not path.is_file():
                known = ", ".join([*USES, *sorted({s.kind for s in sets}), "or a file"])
                raise SystemExit(f"no question set or file named {text!r} (a set name, {known})")
            chosen = [path]
        paths.extend(p for p in chosen if p not in paths)
    return paths


def library_of(names: list[str | Path]) -> str:
    """The library (a folder relative to the repository) the named sets ask about."""
    paths = resolve(names)
    libraries = {s.library for s in manifest() if s.path in paths} or {DEFAULT_LIBRARY}
    if len(libraries) > 1:
        raise SystemExit(f"question sets over different libraries: {', '.join(sorted(libraries))}")
    return libraries.pop()


def read_questions(names: list[str | Path]) -> list[dict]:
    """Every question of the named sets: one JSON object per non-blank line, in order."""
    return [
        json.loads(line)
        for path in resolve(names)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
