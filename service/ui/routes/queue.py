"""The review queue: tabs per status, filters, sort, a page at a time."""

from __future__ import annotations

from typing import get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.api.deps import SessionDep, SettingsDep
from service.claims import queue
from service.exceptions import InvalidInput
from service.review.workflow import Status
from service.ui import pages
from service.ui.deps import DeskUserDep
from service.ui.render import DeskRoute, page_context, render

router = APIRouter(prefix="/ui", route_class=DeskRoute)
QUEUE_PAGE_SIZE = 50
SORTS: tuple[str, ...] = get_args(queue.SortKey)


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@router.get("/queue")
def queue_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskUserDep,
    status: str | None = None,
    verdict: str | None = None,
    assignee: str | None = None,
    tag: str | None = None,
    article_id: str | None = None,
    q: str | None = None,
    sort: str = "-score",
    cursor: str | None = None,
) -> Response:
    """The claims to work on: tabs per status, filters, sort, a page at a time."""
    status = _blank_to_none(status)
    if status is not None and status not in Status.__members__:
        raise InvalidInput(f"status: '{status}' is not a status", details={"field": "status"})
    if sort not in SORTS:
        raise InvalidInput(f"sort: one of {', '.join(SORTS)}", details={"field": "sort"})
    article_text = _blank_to_none(article_id)
    if article_text is not None and not article_text.isdigit():
        raise InvalidInput("article: an article id is a number", details={"field": "article_id"})
    filters = queue.QueueFilters(
        status=(Status(status),) if status else (),
        verdict=(verdict.strip(),) if _blank_to_none(verdict) and verdict else (),
        assignee=_blank_to_none(assignee),
        article_id=int(article_text) if article_text else None,
        tag=_blank_to_none(tag),
        q=_blank_to_none(q),
    )
    view = pages.queue(
        session=session,
        user=user,
        filters=filters,
        sort=sort,  # type: ignore[arg-type]  # checked against SORTS above
        cursor=_blank_to_none(cursor),
        limit=QUEUE_PAGE_SIZE,
        settings=settings,
    )
    kept = {
        "verdict": _blank_to_none(verdict),
        "assignee": filters.assignee,
        "tag": filters.tag,
        "article_id": article_text,
        "q": filters.q,
        "sort": sort if sort != "-score" else None,
    }
    kept_filters = {name: value for name, value in kept.items() if value}

    def link(**changes: str | None) -> str:
        params = {**kept_filters, "status": status, **changes}
        return "/ui/queue?" + urlencode({name: value for name, value in params.items() if value})

    return render(
        request,
        "queue.html",
        page_context(
            user,
            view=view,
            status=status,
            statuses=[member.value for member in Status],
            filters=kept,
            sorts=SORTS,
            verdicts=settings.verdicts,
            link=link,
            next_link=link(cursor=view.next_cursor) if view.next_cursor else None,
            first_link=link() if cursor else None,
        ),
    )
