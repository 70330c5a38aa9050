"""Answer templates by sector and kind: the list (officers read it), adding, editing, deleting
(admins), and the same list in the JSON API."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection, select

from monitor.errors import InputError
from monitor.store.tables import events, templates
from monitor.web.access import require
from monitor.web.answers import (
    BUILT_IN,
    KIND_NAMES,
    KINDS,
    AnswerTemplate,
    change_template,
    checked_template,
    copy_built_in,
    create_template,
    delete_template,
    get_template,
    list_templates,
    templates_for,
)
from monitor.web.api_incidents import ERRORS
from monitor.web.deps import api_user, checked_form, context, page_user
from monitor.web.render import render
from monitor.web.schemas import TemplateOut
from monitor.web.users import User

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", responses=ERRORS)
TemplateId = Path(ge=1, le=2**31 - 1)
TEMPLATE_EVENTS = ("template_created", "template_changed", "template_deleted")
RECENT_CHANGES = 15
DONE = {
    "added": "Шаблон добавлен",
    "saved": "Шаблон сохранён",
    "deleted": "Шаблон удалён",
    "copied": "Встроенные шаблоны скопированы: теперь их можно менять",
}


def _sector_codes(request: Request) -> set[str]:
    return {sector.code for sector in context(request).settings.sectors}


def _recent_changes(connection: Connection) -> list[dict]:
    rows = connection.execute(
        select(events.c.at, events.c.actor, events.c.kind, events.c.payload)
        .where(events.c.kind.in_(TEMPLATE_EVENTS))
        .order_by(events.c.at.desc(), events.c.id.desc())
        .limit(RECENT_CHANGES)
    )
    return [dict(row._mapping) for row in rows]


def _list_page(
    request: Request,
    user: User,
    *,
    sector: str | None = None,
    kind: str | None = None,
    status: int = 200,
    **extra,
) -> Response:
    ctx = context(request)
    sector = sector if sector in _sector_codes(request) else None
    kind = kind if kind in KINDS else None
    with ctx.db.connect() as connection:
        stored = list_templates(connection, sector=sector, kind=kind)
        empty = connection.execute(select(templates.c.id).limit(1)).first() is None
        # What the answer form of this sector's incidents offers (built-in while none stored).
        offered = templates_for(connection, sector) if sector else []
        changes = _recent_changes(connection)
    return render(
        request,
        "templates.html",
        user=user,
        status=status,
        stored=stored,
        empty=empty,
        built_in=BUILT_IN,
        offered=offered,
        offered_built_in=bool(offered) and offered[0].id is None,
        changes=changes,
        sectors=ctx.settings.sectors,
        kinds=KINDS,
        kind_names=KIND_NAMES,
        chosen_sector=sector or "",
        chosen_kind=kind or "",
        active="templates",
        **{"form": {}, **extra},
    )


@router.get("/templates")
def templates_page(
    request: Request,
    sector: str | None = Query(None, max_length=50),
    kind: str | None = Query(None, max_length=20),
    done: str | None = Query(None, max_length=20),
    user: User = Depends(page_user),
) -> Response:
    """Answer templates by sector and kind; admins also add, edit and delete them."""
    require(user, "view_templates")
    return _list_page(request, user, sector=sector, kind=kind, flash=DONE.get(done or ""))


def _from_form(request: Request, form: dict[str, str]) -> AnswerTemplate:
    return checked_template(
        _sector_codes(request),
        sector=form.get("sector"),
        kind=form.get("kind", ""),
        title=form.get("title", ""),
        body=form.get("body", ""),
    )


@router.post("/templates")
def templates_add(
    request: Request,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Add a template."""
    require(user, "manage_templates")
    ctx = context(request)
    try:
        template = _from_form(request, form)
        with ctx.db.begin() as connection:
            create_template(connection, template, actor=user.name, now=ctx.now())
    except InputError as exc:
        return _list_page(request, user, status=422, error=str(exc), form=form)
    return RedirectResponse("/templates?done=added", status_code=303)


@router.post("/templates/built-in")
def templates_copy_built_in(
    request: Request,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Copy the built-in templates into the (empty) table, to edit them."""
    require(user, "manage_templates")
    ctx = context(request)
    try:
        with ctx.db.begin() as connection:
            copy_built_in(connection, actor=user.name, now=ctx.now())
    except InputError as exc:
        return _list_page(request, user, status=422, error=str(exc))
    return RedirectResponse("/templates?done=copied", status_code=303)


def _edit_page(
    request: Request, user: User, template_id: int, *, status: int = 200, **extra
) -> Response:
    ctx = context(request)
    with ctx.db.connect() as connection:
        template = get_template(connection, template_id)
    form = {k: v or "" for k, v in asdict(template).items() if k != "id"}
    return render(
        request,
        "template_edit.html",
        user=user,
        status=status,
        answer_template=template,
        sectors=ctx.settings.sectors,
        kinds=KINDS,
        kind_names=KIND_NAMES,
        active="templates",
        **{"form": form, **extra},
    )


@router.get("/templates/{template_id}")
def template_page(
    request: Request, template_id: int = TemplateId, user: User = Depends(page_user)
) -> Response:
    """One template in an edit form (admins)."""
    require(user, "manage_templates")
    return _edit_page(request, user, template_id)


@router.post("/templates/{template_id}")
def template_save(
    request: Request,
    template_id: int = TemplateId,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Save an edited template."""
    require(user, "manage_templates")
    ctx = context(request)
    try:
        template = _from_form(request, form)
        with ctx.db.begin() as connection:
            change_template(connection, template_id, template, actor=user.name, now=ctx.now())
    except InputError as exc:
        page = _edit_page(request, user, template_id, status=422, error=str(exc), form=form)
        return page
    return RedirectResponse("/templates?done=saved", status_code=303)


@router.post("/templates/{template_id}/delete")
def template_delete(
    request: Request,
    template_id: int = TemplateId,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Delete a template."""
    require(user, "manage_templates")
    ctx = context(request)
    with ctx.db.begin() as connection:
        delete_template(connection, template_id, actor=user.name, now=ctx.now())
    return RedirectResponse("/templates?done=deleted", status_code=303)


@api.get("/templates", response_model=list[TemplateOut], tags=["templates"])
def templates_api(
    request: Request,
    sector: str | None = Query(
        None,
        max_length=50,
        description="With a sector: the templates its incidents offer, built-in ones when "
        "none are stored; without: every stored template",
    ),
    kind: str | None = Query(None, max_length=20, description="interim or final"),
    user: User = Depends(api_user),
) -> list[dict]:
    """Answer templates (officers and admins)."""
    require(user, "view_templates")
    ctx = context(request)
    if sector and sector not in _sector_codes(request):
        raise InputError(f"Неизвестный сектор: {sector}")
    if kind and kind not in KINDS:
        raise InputError(f"Неизвестный вид ответа: {kind} (есть: {', '.join(KINDS)})")
    with ctx.db.connect() as connection:
        found = templates_for(connection, sector) if sector else list_templates(connection)
    display = request.app.state.templates.env.globals["d"]
    return [
        {
            **asdict(template),
            "sector_name": display.sector_name(template.sector) if template.sector else None,
            "kind_name": KIND_NAMES.get(template.kind, template.kind),
            "built_in": template.id is None,
        }
        for template in found
        if kind in (None, "", template.kind)
    ]
