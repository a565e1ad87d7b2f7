"""HTTP for prior-check matching: which stored claims a text repeats."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import ReadKey, SessionDep, SettingsDep
from service.matching import matcher
from service.matching.schemas import MatchIn, MatchOut

router = APIRouter(tags=["matching"])


@router.post("/v1/claims/match")
def match_claims(body: MatchIn, session: SessionDep, settings: SettingsDep, _key: ReadKey) -> MatchOut:
    """Stored claims that this text repeats, best first, each saying whether it is the same claim or a
    related one (and what differs); the verdict is offered for reuse only on the same claim."""
    return matcher.match(session=session, text=body.text, limit=body.limit, settings=settings)
