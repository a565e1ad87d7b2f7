"""Submitted articles: the list, the paste-an-article form, and one article with its claims in place."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from service.api.deps import SessionDep, SettingsDep
from service.articles import service as articles
from service.articles.schemas import ArticleIn
from service.exceptions import InvalidInput, PayloadTooLarge
from service.ui import pages
from service.ui.deps import DeskSubmitter, DeskUserDep
from service.ui.render import FORM_RESHOWN, DeskRoute, page_context, render
from service.ui.sessions import DeskUser

router = APIRouter(prefix="/ui", route_class=DeskRoute)
ARTICLES_PAGE_SIZE = 50


@router.get("/articles")
def articles_page(
    request: Request, session: SessionDep, user: DeskUserDep, cursor: str | None = None
) -> Response:
    """Submitted articles, newest first, and the form to submit one."""
    after_id = int(cursor) if cursor and cursor.isdigit() else None
    listed = articles.get_all(session=session, after_id=after_id, limit=ARTICLES_PAGE_SIZE)
    next_cursor = str(listed[-1].id) if len(listed) == ARTICLES_PAGE_SIZE else None
    return render(
        request,
        "articles.html",
        page_context(user, articles=listed, next_cursor=next_cursor, typed={}, errors=[]),
    )


@router.post("/articles")
def submit_article(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskSubmitter,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    published_at: Annotated[str, Form()] = "",
) -> Response:
    """Store the pasted article, extract its claims, and open it."""
    typed = {"title": title, "body": body, "url": url, "published_at": published_at}
    try:
        article_in = ArticleIn(
            title=title.strip(),
            body=body.replace("\r\n", "\n"),
            url=url.strip() or None,
            published_at=date.fromisoformat(published_at) if published_at.strip() else None,
        )
    except (ValidationError, ValueError) as exc:
        errors = (
            [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else ["published date: use YYYY-MM-DD"]
        )
        return _article_form_again(request, session, user, typed=typed, errors=errors)
    try:
        article, _claims = articles.submit(
            session=session, article_in=article_in, actor=user.actor, settings=settings
        )
    except (InvalidInput, PayloadTooLarge) as exc:
        session.rollback()
        return _article_form_again(request, session, user, typed=typed, errors=[exc.message])
    return RedirectResponse(f"/ui/articles/{article.id}", status_code=303)


def _article_form_again(
    request: Request, session: Session, user: DeskUser, *, typed: dict[str, str], errors: list[str]
) -> Response:
    """The submit form with what was typed and why it was not accepted."""
    listed = articles.get_all(session=session, after_id=None, limit=ARTICLES_PAGE_SIZE)
    return render(
        request,
        "articles.html",
        page_context(user, articles=listed, next_cursor=None, typed=typed, errors=errors),
        status_code=FORM_RESHOWN,
    )


@router.get("/articles/{article_id}")
def article_page(request: Request, session: SessionDep, user: DeskUserDep, article_id: int) -> Response:
    """The body with claim spans highlighted in place and skipped sentences greyed with the reason."""
    view = pages.article(session=session, article_id=article_id)
    return render(request, "article.html", page_context(user, view=view))
