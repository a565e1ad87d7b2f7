"""The ceiling for `bench/load.py`: a bare FastAPI app serving the same JSON from memory.

No database, no auth, no middleware: what uvicorn + FastAPI can do on this machine for the read paths
the load benchmark drives. `CEILING_FIXTURE` names a JSON file that `bench/load.py` captured from the
real server: {"queue": <GET /v1/claims body>, "claims": {id: body}, "evidence": {id: body}}.

    CEILING_FIXTURE=/tmp/fixture.json uvicorn bench.ceiling_app:app --workers 2 --port 8001
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

_fixture: dict[str, Any] = json.loads(Path(os.environ["CEILING_FIXTURE"]).read_text(encoding="utf-8"))
_queue: dict[str, Any] = _fixture["queue"]
_claims: dict[str, Any] = _fixture["claims"]
_evidence: dict[str, Any] = _fixture["evidence"]
_not_found = {"error": {"code": "not_found", "message": "No such claim."}}

app = FastAPI(title="claimcheck ceiling")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/claims")
def claims_queue() -> dict[str, Any]:
    # Serialised per request, as the real endpoint does, so the JSON encoding cost is in the ceiling too.
    return _queue


@app.get("/v1/claims/{claim_id}")
def one_claim(claim_id: int) -> Any:
    body = _claims.get(str(claim_id))
    if body is None:
        return JSONResponse(_not_found, status_code=404)
    return JSONResponse(body, headers={"ETag": f'"{claim_id}-1"'})


@app.get("/v1/claims/{claim_id}/evidence")
def claim_evidence(claim_id: int) -> Any:
    body = _evidence.get(str(claim_id))
    if body is None:
        return JSONResponse(_not_found, status_code=404)
    return body
