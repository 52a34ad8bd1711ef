"""The audit trail: every moderator action, with the question and what changed, paged."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from bot.logstore import crud
from bot.review.deps import CurrentLogin
from bot.review.pages import render
from bot.review.params import clean_text, whole_number

router = APIRouter()
PAGE_SIZE = 50


@router.get("/audit")
def audit(request: Request, login: CurrentLogin) -> Response:
    params = request.query_params
    notices: list[str] = []
    with Session(request.app.state.engine) as session:
        moderators, actions = crud.audit_choices(session=session)
        moderator = clean_text(params.get("moderator"), 64)
        action = clean_text(params.get("action"), 32)
        if moderator and moderator not in moderators:
            notices.append(f"No audit entries by {moderator!r}; showing everyone's.")
            moderator = ""
        if action and action not in actions:
            notices.append(f"No audit entries of action {action!r}; showing every action.")
            action = ""
        total = crud.count_audit(session=session, moderator=moderator, action=action)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = whole_number(
            params, "page", "Page", default=1, minimum=1, maximum=pages, notices=notices
        )
        rows = crud.audit_page(
            session=session,
            moderator=moderator,
            action=action,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    active = {
        key: value for key, value in {"moderator": moderator, "action": action}.items() if value
    }
    return render(
        request,
        "audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        active=active,
        moderators=moderators,
        actions=actions,
        page_query=lambda number: urlencode({**active, "page": number}),
        notices=notices,
    )
