"""The dashboard: questions, abstentions and feedback over the last days, as charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from bot.logstore import crud
from bot.review import charts
from bot.review.deps import CurrentLogin
from bot.review.pages import render
from bot.review.params import whole_number

router = APIRouter()


@router.get("/dashboard")
def dashboard(request: Request, login: CurrentLogin) -> Response:
    notices: list[str] = []
    days = whole_number(
        request.query_params, "days", "Days", default=30, minimum=1, maximum=366, notices=notices
    )
    today = datetime.now(UTC).date()
    first_day = today - timedelta(days=days - 1)
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    with Session(request.app.state.engine) as session:
        per_day = crud.daily_counts(session=session, first_day=first_day, last_day=today)
        totals = crud.stats(session=session, since=since)
        unanswered = crud.top_unanswered(session=session, since=since, limit=10)
    labels = [day.day.strftime("%d %b") for day in per_day]
    questions_chart = charts.stacked_bar_chart(
        "Questions per day",
        labels,
        [
            ("answered", [d.questions - d.abstained for d in per_day], "bar-answered"),
            ("abstained", [d.abstained for d in per_day], "bar-abstained"),
        ],
    )
    abstention_chart = charts.rate_line_chart(
        "Abstention rate per day", labels, [d.abstention_rate for d in per_day]
    )
    helpful_chart = charts.rate_line_chart(
        "Helpful ratio per day", labels, [d.helpful_ratio for d in per_day]
    )
    unanswered_chart = charts.horizontal_bar_chart("Top unanswered questions", unanswered)
    return render(
        request,
        "dashboard.html",
        days=days,
        totals=totals,
        unanswered=unanswered,
        questions_chart=questions_chart,
        abstention_chart=abstention_chart,
        helpful_chart=helpful_chart,
        unanswered_chart=unanswered_chart,
        notices=notices,
    )
