"""Who may use a desk route: the signed-in user, their form's CSRF token, the permission a route needs.

Routes state what they need in their signature, like the API's `require(...)`: `DeskUserDep` for any
signed-in page, `desk_access(Permission.review, form=True)` for a form post that reviews.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from service.api.deps import SessionDep
from service.auth.service import Permission, authorize
from service.exceptions import Forbidden
from service.ui import sessions
from service.ui.cookies import DeskCookie
from service.ui.render import SignInRequired
from service.ui.sessions import DeskUser


def desk_user(request: Request, session: SessionDep) -> DeskUser:
    """The signed-in user, or a redirect to sign-in."""
    user = sessions.get(session=session, raw_token=DeskCookie.session(request).read(request))
    if user is None:
        raise SignInRequired()
    return user


def desk_access(
    permission: Permission | None = None, *, form: bool = False
) -> Callable[..., Awaitable[DeskUser]]:
    """A dependency: the signed-in user, if the posted form carries their CSRF token (when `form`) and
    their role grants `permission` (when given); 403 otherwise."""

    async def dependency(request: Request, user: Annotated[DeskUser, Depends(desk_user)]) -> DeskUser:
        if form:
            posted = (await request.form()).get("csrf_token")
            if not sessions.csrf_matches(user.csrf_token, posted if isinstance(posted, str) else None):
                raise Forbidden(
                    "This form is out of date or was not sent from the desk: reload the page and retry."
                )
        if permission is not None:
            authorize(user.actor, permission)
        return user

    return dependency


DeskUserDep = Annotated[DeskUser, Depends(desk_user)]
DeskWriterDep = Annotated[DeskUser, Depends(desk_access(form=True))]
DeskSubmitter = Annotated[DeskUser, Depends(desk_access(Permission.submit, form=True))]
DeskReviewer = Annotated[DeskUser, Depends(desk_access(Permission.review, form=True))]
DeskImportReader = Annotated[DeskUser, Depends(desk_access(Permission.import_))]
