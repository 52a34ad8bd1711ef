"""One answer: its passages with their diagnostics, feedback, history, and the review form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import exc
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.logstore import crud
from bot.logstore.models import VERDICTS, AnswerLog, Review
from bot.review import auth
from bot.review.deps import CurrentLogin, optional_login
from bot.review.pages import render
from bot.review.params import UID, clean_multiline, clean_text
from bot.review.routes.login import login_page

router = APIRouter()
NOT_FOUND = "No logged answer has that id."


def passage_rows(answer: AnswerLog) -> list[dict[str, Any]]:
    """Return the retrieved passages in fused-rank order, each saying whether it was quoted."""
    cited = {str(source.get("chunk_id") or "") for source in answer.sources or []}
    rows = []
    for position, item in enumerate(answer.retrieved or [], start=1):
        row = dict(item)
        row.setdefault("fused_rank", position)
        # Rows logged before "quoted" was recorded: a cited passage was quoted from.
        row.setdefault("quoted", row.get("chunk_id") in cited)
        rows.append(row)
    return sorted(rows, key=lambda row: row["fused_rank"] or 0)


def _form_of(review: Review | None) -> dict[str, Any]:
    return {
        "verdict": review.verdict if review else "",
        "note": review.note if review else "",
        "corrected_answer": review.corrected_answer if review else "",
        "approved": bool(review and review.approved),
        "base_version": str(review.version if review else 0),
    }


def _show(
    request: Request,
    session: Session,
    uid: str,
    *,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
    error: str = "",
    conflict: Review | None = None,
    notices: list[str] | None = None,
    saved: bool = False,
) -> Response:
    answer = crud.get_answer(session=session, uid=uid) if UID.fullmatch(uid) else None
    if answer is None:
        raise StarletteHTTPException(404, NOT_FOUND)
    review = crud.get_review(session=session, answer_uid=uid)
    return render(
        request,
        "detail.html",
        status_code=status_code,
        answer=answer,
        passages=passage_rows(answer),
        review=review,
        form=form or _form_of(review),
        feedback=crud.feedback_for(session=session, answer_uid=uid),
        history=crud.audit_entries(session=session, answer_uid=uid),
        verdicts=VERDICTS,
        saved=saved,
        error=error,
        conflict=conflict,
        notices=notices or [],
    )


@router.get("/answers/{uid}")
def detail(request: Request, uid: str, login: CurrentLogin) -> Response:
    with Session(request.app.state.engine) as session:
        notices, form = [], None
        draft = auth.take_draft(session=session, login=login)
        if draft and draft.get("answer_uid") == uid:
            form = draft
            notices.append(
                "Your session had ended; the review you typed is restored below. "
                "It is not saved yet."
            )
        return _show(
            request,
            session,
            uid,
            form=form,
            notices=notices,
            saved=request.query_params.get("saved") == "1",
        )


@router.post("/answers/{uid}/review")
def review_answer(
    request: Request,
    uid: str,
    verdict: str = Form(""),
    note: str = Form(""),
    corrected_answer: str = Form(""),
    approved: str = Form(""),
    base_version: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    typed: dict[str, Any] = {
        "answer_uid": uid,
        "verdict": clean_text(verdict, 16),
        "note": clean_multiline(note, 5000),
        "corrected_answer": clean_multiline(corrected_answer, 10000),
        "approved": approved in ("on", "yes", "true", "1"),
        "base_version": clean_text(base_version, 12),
    }
    with Session(request.app.state.engine) as session:
        login = optional_login(request, session)
        if login is None:
            # Keep what was typed across the login instead of dropping it.
            return login_page(
                request,
                status_code=401,
                next_path=f"/answers/{uid}",
                notice="Your session has ended. Log in again and your review will be restored "
                "(it is not saved yet).",
                draft=typed if UID.fullmatch(uid) else None,
            )
        if not auth.tokens_match(login.csrf_token, csrf_token):
            return _show(
                request,
                session,
                uid,
                status_code=403,
                form=typed,
                error="The form had expired or did not come from this desk; check it, then save.",
            )
        if not UID.fullmatch(uid) or crud.get_answer(session=session, uid=uid) is None:
            raise StarletteHTTPException(404, NOT_FOUND)
        version = typed["base_version"]
        expected = int(version) if version.isascii() and version.isdigit() else None
        try:
            crud.save_review(
                session=session,
                answer_uid=uid,
                moderator=login.name,
                verdict=typed["verdict"],
                note=typed["note"],
                corrected_answer=typed["corrected_answer"],
                approved=bool(typed["approved"]),
                may_approve=login.may_approve,
                expected_version=expected,
            )
            session.commit()
        except crud.ReviewConflict as conflict:
            session.rollback()
            typed["base_version"] = str(conflict.current.version)
            return _show(
                request,
                session,
                uid,
                status_code=409,
                form=typed,
                conflict=conflict.current,
                error=f"Not saved: {conflict}. Compare the two versions; saving again keeps yours.",
            )
        except exc.IntegrityError:
            session.rollback()  # another moderator created the review at the same moment
            current = crud.get_review(session=session, answer_uid=uid)
            typed["base_version"] = str(current.version if current else 0)
            return _show(
                request,
                session,
                uid,
                status_code=409,
                form=typed,
                conflict=current,
                error="Not saved: another moderator saved a review of this answer just now.",
            )
        except (ValueError, crud.ApprovalNotAllowed) as error:
            session.rollback()
            return _show(
                request, session, uid, status_code=400, form=typed, error=f"Not saved: {error}."
            )
    return RedirectResponse(f"/answers/{uid}?saved=1", status_code=303)
