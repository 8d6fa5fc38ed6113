"""Configuration from the environment: embedded defaults, production strictness, precise errors."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from whalefall.core.config import PRODUCTION, Settings
from whalefall.core.errors import ConfigError


def test_embedded_defaults_generate_secrets_once(tmp_path):
    env = {"WHALEFALL_DATA_DIR": str(tmp_path / "data")}
    first = Settings.from_env(env)
    second = Settings.from_env(env)

    assert first.database_url == f"sqlite:///{tmp_path / 'data' / 'whalefall.db'}"
    assert first.log_dir == tmp_path / "data" / "logs"
    assert first.secret_key == second.secret_key
    assert first.credential_key == second.credential_key
    Fernet(first.credential_key.encode())
    assert len(first.warnings) == 2 and "SECRET_KEY" in first.warnings[0]
    assert second.warnings == ()
    assert (tmp_path / "data" / "credential.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("missing", ["DATABASE_URL", "SECRET_KEY", "WHALEFALL_CREDENTIAL_KEY"])
def test_production_refuses_to_start_without_each_secret(tmp_path, missing):
    env = {
        "WHALEFALL_ENV": PRODUCTION,
        "WHALEFALL_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgresql://wf:pw@db/whalefall",
        "SECRET_KEY": "x" * 32,
        "WHALEFALL_CREDENTIAL_KEY": Fernet.generate_key().decode(),
    }
    del env[missing]
    with pytest.raises(ConfigError, match=f"^{missing} must be set when WHALEFALL_ENV=production$"):
        Settings.from_env(env)
    assert not (tmp_path / "secret_key").exists()


def test_driverless_urls_get_the_shipped_driver(tmp_path):
    settings = Settings.from_env({"WHALEFALL_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://wf:pw@db:5432/wf"})
    assert settings.database_url == "postgresql+psycopg://wf:pw@db:5432/wf"
    assert settings.database_url_safe == "postgresql+psycopg://wf:***@db:5432/wf"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "not a url :pw-in-here@", "DATABASE_URL is not a valid database URL"),
        ("DATABASE_URL", "oracle+nodriver://u:p@h/x", "unsupported database driver 'oracle+nodriver'"),
        ("WHALEFALL_CREDENTIAL_KEY", "too-short", "WHALEFALL_CREDENTIAL_KEY is not a valid Fernet key"),
        ("WHALEFALL_TIMEZONE", "Mars/Olympus", "not a known IANA time zone"),
        ("WHALEFALL_ENV", "staging", "WHALEFALL_ENV='staging' is not one of: development, production"),
        ("WHALEFALL_SCHEDULER", "maybe", "WHALEFALL_SCHEDULER='maybe' is not a boolean"),
        ("WHALEFALL_CONNECT_TIMEOUT", "soon", "WHALEFALL_CONNECT_TIMEOUT='soon' is not a number of seconds"),
        ("WHALEFALL_SYNC_WORKERS", "0", "WHALEFALL_SYNC_WORKERS='0' must be greater than zero"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, variable, value, message):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"WHALEFALL_DATA_DIR": str(tmp_path), variable: value})
    assert message in str(caught.value)
    assert "pw-in-here" not in str(caught.value)


def test_credential_key_accepts_a_rotation_list(tmp_path):
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    assert (
        Settings.from_env({"WHALEFALL_DATA_DIR": str(tmp_path), "WHALEFALL_CREDENTIAL_KEY": keys}).credential_key
        == keys
    )
