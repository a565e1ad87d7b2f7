"""Finding 6: a revoked bootstrap admin key stays revoked when the service restarts with it still set."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from service.db import get_engine
from tests.conftest import ADMIN_KEY, bearer, reset_process_caches


def test_a_revoked_bootstrap_key_is_not_recreated_on_restart(
    configure: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    from service.main import create_app

    with TestClient(create_app()) as client:
        other = client.post("/v1/keys", json={"role": "admin", "name": "ops"}, headers=bearer(ADMIN_KEY))
        other_key = other.json()["key"]
        [bootstrap] = [k for k in client.get("/v1/keys", headers=bearer(other_key)).json() if k["id"] == 1]
        assert client.delete(f"/v1/keys/{bootstrap['id']}", headers=bearer(other_key)).status_code == 204
        assert client.get("/v1/claims", headers=bearer(ADMIN_KEY)).status_code == 401
    get_engine().dispose()
    reset_process_caches()

    capsys.readouterr()
    with TestClient(create_app()) as client:  # CLAIMCHECK_ADMIN_KEY is still the revoked value
        assert client.get("/v1/claims", headers=bearer(ADMIN_KEY)).status_code == 401
        assert client.get("/v1/claims", headers=bearer(other_key)).status_code == 200
        keys = client.get("/v1/keys", params={"include_revoked": True}, headers=bearer(other_key)).json()
        assert [k["revoked_at"] is not None for k in keys if k["id"] == bootstrap["id"]] == [True]
    get_engine().dispose()
    assert "stays revoked" in capsys.readouterr().err  # the log says why the variable's key fails
