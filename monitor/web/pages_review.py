"""«Разметка»: analysts and admins label the review queues one post at a time; the estimates."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from monitor.analytics.period import Period
from monitor.errors import InputError
from monitor.incidents.lifecycle import RISK_RANK
from monitor.loop import labels, queues, registry
from monitor.loop.stats import review_stats
from monitor.web.access import require
from monitor.web.deps import checked_form, context, page_user
from monitor.web.render import render
from monitor.web.users import User

router = APIRouter(include_in_schema=False)
QUEUE_NAMES = {
    "uncertain": "Неуверенные",
    "audit": "Аудит",
    "corrections": "Исправления дежурных",
}


def _period(request: Request, first: str | None, last: str | None) -> Period:
    ctx = context(request)
    return queues.review_period(ctx.settings, ctx.now(), first=first, last=last)


def _queue(queue: str) -> str:
    if queue not in queues.QUEUES:
        raise InputError(f"Неизвестная очередь: {queue}")
    return queue


@router.get("/review")
def review_page(
    request: Request,
    queue: str = Query("uncertain", max_length=20),
    first: str | None = Query(None, alias="from", max_length=10),
    last: str | None = Query(None, alias="to", max_length=10),
    undo: int | None = Query(None, ge=1, le=2**31 - 1),
    done: str | None = Query(None, max_length=10),
    user: User = Depends(page_user),
) -> Response:
    """The next post of a queue, the model's guess, and one key per decision."""
    require(user, "label")
    ctx = context(request)
    period = _period(request, first, last)
    with ctx.db.connect() as connection:
        threshold = registry.current_threshold(ctx, connection)
        items = queues.suggest(
            connection, ctx.settings, queue=_queue(queue), period=period, threshold=threshold, n=1
        )
    flash = {"saved": "Решение сохранено", "undone": "Решение отменено"}.get(done or "")
    return render(
        request,
        "review.html",
        user=user,
        active="review",
        item=items[0] if items else None,
        queue=queue,
        queue_names=QUEUE_NAMES,
        period=period,
        threshold=threshold,
        undo=undo,
        flash=flash,
        sectors=ctx.settings.sectors,
        risks=list(reversed(RISK_RANK)),
        territories=[place.name for place in ctx.settings.territories],
        back=urlencode({"queue": queue, "from": period.first, "to": period.last}),
    )


@router.post("/review/label")
def review_label(
    request: Request,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Store one decision; the page moves on to the next post and offers to undo this one."""
    require(user, "label")
    ctx = context(request)
    decision = form.get("decision")
    if decision not in ("signal", "noise"):
        raise InputError("Неизвестное решение")
    try:
        post_id = int(form.get("post_id", ""))
    except ValueError:
        raise InputError("Не указан пост") from None
    values = {
        "relevant": decision == "signal",
        "sector": form.get("sector") if decision == "signal" else None,
        "risk": form.get("risk") if decision == "signal" else None,
        "territory": form.get("territory") or None,
    }
    label = labels.checked_label(ctx.settings, values)
    with ctx.db.begin() as connection:
        label_id = labels.record_label(connection, post_id, label, actor=user.name, at=ctx.now())
    query = {"queue": _queue(form.get("queue", "uncertain")), "done": "saved"}
    query.update({k: form[k] for k in ("from", "to") if form.get(k)})
    if label_id is not None:
        query["undo"] = str(label_id)
    return RedirectResponse(f"/review?{urlencode(query)}", status_code=303)


@router.post("/review/undo")
def review_undo(
    request: Request,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Take back this user's last decision: the post is back in its queue."""
    require(user, "label")
    ctx = context(request)
    try:
        label_id = int(form.get("label_id", ""))
    except ValueError:
        raise InputError("Нечего отменять") from None
    with ctx.db.begin() as connection:
        labels.undo_label(connection, label_id, actor=user.name)
    query = {"queue": _queue(form.get("queue", "uncertain")), "done": "undone"}
    query.update({k: form[k] for k in ("from", "to") if form.get(k)})
    return RedirectResponse(f"/review?{urlencode(query)}", status_code=303)


@router.get("/review/stats")
def review_stats_page(
    request: Request,
    first: str | None = Query(None, alias="from", max_length=10),
    last: str | None = Query(None, alias="to", max_length=10),
    user: User = Depends(page_user),
) -> Response:
    """The stream's precision, recall and missed signals from the audit, with intervals."""
    require(user, "view_review")
    ctx = context(request)
    period = _period(request, first, last)
    with ctx.db.connect() as connection:
        stats = review_stats(connection, ctx.settings, period)
    return render(
        request, "review_stats.html", user=user, active="review", stats=stats, period=period
    )
