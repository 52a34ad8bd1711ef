"""/status and /sources by negotiation track: the list of tracks, and one track's latest."""

from __future__ import annotations

from typing import Protocol

from bot import i18n
from bot.answers.answer_types import Answer
from bot.service import FrontEnd
from index.search import Searcher
from index.track_catalog import TrackView


class _Asks(Protocol):
    def searcher(self) -> Searcher: ...

    def ask(
        self,
        question: str,
        *,
        front_end: FrontEnd,
        user_language: str | None = None,
        track: str | None = None,
    ) -> Answer: ...


def tracks_overview(views: list[TrackView], language: str) -> str:
    """One line per track (newest first): name, id, reports, newest report's date and title."""
    if not views:
        return i18n.text(language, "empty_library")
    lines = [i18n.text(language, "tracks_heading", count=len(views))]
    lines += [_line(view, language) for view in views]
    if len(views) > 1:
        lines.append(i18n.text(language, "status_hint"))
    return "\n".join(lines)


def track_ranges(views: list[TrackView], language: str) -> str:
    """One line per track: name, id, reports, first and last report dates."""
    if not views:
        return ""
    lines = [i18n.text(language, "tracks_heading", count=len(views))]
    for view in views:
        lines.append(
            i18n.text(
                language,
                "track_range",
                name=view.name(language),
                id=view.id,
                reports=len(view.reports),
                first=i18n.format_date(view.oldest, language),
                last=i18n.format_date(view.newest, language),
            )
        )
    return "\n".join(lines)


def track_status(
    service: _Asks, language: str, *, track: str | None, front_end: FrontEnd
) -> Answer:
    """Answer /status: the track list, or one track's latest as of its newest report."""
    views = service.searcher().tracks.tracks()
    asked = (track or "").strip()
    if not asked and len(views) != 1:
        overview = tracks_overview(views, language)
        return Answer(question="/status", text=overview, language=language, abstained=not views)
    catalog = service.searcher().tracks
    view = (catalog.get(asked) or catalog.find(asked)) if asked else views[0]
    if view is None:
        known = ", ".join(v.id for v in views)
        message = i18n.text(language, "unknown_track", asked=asked, known=known)
        return Answer(question=f"/status {asked}", text=message, language=language, abstained=True)
    question = (
        i18n.text(language, "status_question")
        if len(views) == 1
        else i18n.text(language, "track_status_question", track=view.name(language))
    )
    answer = service.ask(question, front_end=front_end, user_language=language, track=view.id)
    if not asked:
        answer.text = f"{_line(view, language)}\n\n{answer.text}"
    return answer


def _line(view: TrackView, language: str) -> str:
    newest = view.reports[0]
    return i18n.text(
        language,
        "track_line",
        name=view.name(language),
        id=view.id,
        reports=len(view.reports),
        newest=i18n.format_date(view.newest, language),
        title=newest.title,
    )
