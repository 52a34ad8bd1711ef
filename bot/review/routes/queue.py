"""The queue of logged answers, its filters and its exports."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.logstore import crud
from bot.logstore.models import FEEDBACK_KINDS, VERDICTS
from bot.review.deps import CurrentLogin
from bot.review.export import EXPORTERS
from bot.review.pages import render
from bot.review.params import queue_query, whole_number

router = APIRouter()
PAGE_SIZE = 50


@router.get("/")
def queue(request: Request, login: CurrentLogin) -> Response:
    query = queue_query(request.query_params)
    notices = query.notices
    with Session(request.app.state.engine) as session:
        total = (
            0 if query.empty_range else crud.count_answers(session=session, filters=query.filters)
        )
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = whole_number(
            request.query_params,
            "page",
            "Page",
            default=1,
            minimum=1,
            maximum=pages,
            notices=notices,
        )
        rows = []
        if total:
            rows = crud.list_answers(
                session=session,
                filters=query.filters,
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
        known_languages = crud.languages(session=session)
    active = query.active
    return render(
        request,
        "queue.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        active=active,
        query=urlencode(active),
        page_query=lambda number: urlencode({**active, "page": number}),
        languages=known_languages,
        feedback_kinds=FEEDBACK_KINDS,
        verdicts=VERDICTS,
        notices=notices,
    )


@router.get("/export.{kind}")
def export(request: Request, kind: str, login: CurrentLogin) -> Response:
    if kind not in EXPORTERS:
        raise StarletteHTTPException(404, "Export as .csv or .jsonl.")
    query = queue_query(request.query_params)
    if query.notices:
        raise StarletteHTTPException(400, "Nothing exported: " + " ".join(query.notices))
    produce, media_type = EXPORTERS[kind]
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        produce(request.app.state.engine, query.filters),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="negobot-log-{stamp}.{kind}"'},
    )
