"""Read the small tab-separated data files shipped with the code (one header line, then rows)."""

from __future__ import annotations

from pathlib import Path


def read_rows(
    path: Path, *, width: int | None = None, expected: str | None = None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header's cells and every non-blank row as (line number, stripped cells).

    A row must have `width` cells (the header's width when None), none of them empty; otherwise
    ValueError names the file and line: "FILE:LINE: expected EXPECTED" (by default "N non-empty
    columns").
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t") if lines else []
    width = width or len(header)
    expected = expected or f"{width} non-empty columns"
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != width or not all(cells):
            raise ValueError(f"{path}:{number}: expected {expected}")
        rows.append((number, cells))
    return header, rows
