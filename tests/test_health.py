"""Liveness and readiness probes."""

from __future__ import annotations

from cryptography.fernet import Fernet

from tests.servers import free_port
from whalefall.app import create_app
from whalefall.core.config import Settings


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ready", "database": "ok"}


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    url = f"postgresql://wf:Very-Secret-Db-Pw@127.0.0.1:{free_port()}/wf"
    key = Fernet.generate_key().decode()
    settings = Settings.from_env(
        {"WHALEFALL_DATA_DIR": str(tmp_path), "DATABASE_URL": url, "WHALEFALL_CREDENTIAL_KEY": key}
    )
    client = create_app(settings).test_client()
    assert client.get("/healthz").status_code == 200  # alive even without its database
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": "database unreachable"}
    assert b"Very-Secret-Db-Pw" not in response.data
