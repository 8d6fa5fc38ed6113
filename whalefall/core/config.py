"""Settings read from the environment, validated once, with embedded defaults for a laptop.

On the embedded default (no ``WHALEFALL_ENV=production``) missing secrets are generated once into the
data directory so that ``whalefall run`` needs no setup; in production every secret must come from the
environment and a missing one stops the process with a message naming the variable.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from whalefall.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

PRODUCTION = "production"
DEVELOPMENT = "development"
_ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# Driver-less URL schemes map to the drivers WhaleFall ships with.
_DEFAULT_DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}


@dataclass(frozen=True)
class Settings:
    """Everything the app needs from its environment. Never log ``database_url`` raw: use ``database_url_safe``."""

    env: str
    data_dir: Path
    log_dir: Path
    database_url: str
    secret_key: str
    credential_key: str
    timezone: str
    log_level: str
    scheduler_enabled: bool
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    instance_timeout: float = 600.0
    sync_workers: int = 4
    retention_days: int = 90
    redis_url: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def production(self) -> bool:
        return self.env == PRODUCTION

    @property
    def database_url_safe(self) -> str:
        """The database URL with its password masked, fit for logs and error messages."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env_vars = os.environ if environ is None else environ
        warnings: list[str] = []
        env = _choice(env_vars, "WHALEFALL_ENV", DEVELOPMENT, _ENVIRONMENTS)
        production = env == PRODUCTION

        data_dir = Path(env_vars.get("WHALEFALL_DATA_DIR") or "userdata").expanduser().resolve()
        log_dir = Path(env_vars.get("WHALEFALL_LOG_DIR") or data_dir / "logs").expanduser().resolve()

        database_url = env_vars.get("DATABASE_URL", "").strip()
        if not database_url:
            if production:
                raise ConfigError("DATABASE_URL must be set when WHALEFALL_ENV=production")
            database_url = f"sqlite:///{data_dir / 'whalefall.db'}"
        database_url = normalise_database_url(database_url)

        secret_key = _secret(env_vars, "SECRET_KEY", data_dir, "secret_key", production, warnings, _new_secret_key)
        credential_key = _secret(
            env_vars, "WHALEFALL_CREDENTIAL_KEY", data_dir, "credential.key", production, warnings, _new_fernet_key
        )
        try:
            credential_cipher_keys(credential_key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                "WHALEFALL_CREDENTIAL_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes); "
                "generate one with: python -c "
                '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            ) from exc

        timezone = env_vars.get("WHALEFALL_TIMEZONE") or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"WHALEFALL_TIMEZONE={timezone!r} is not a known IANA time zone (e.g. Asia/Shanghai)"
            ) from exc

        return cls(
            env=env,
            data_dir=data_dir,
            log_dir=log_dir,
            database_url=database_url,
            secret_key=secret_key,
            credential_key=credential_key,
            timezone=timezone,
            log_level=_choice(env_vars, "WHALEFALL_LOG_LEVEL", "INFO", _LOG_LEVELS, upper=True),
            scheduler_enabled=_flag(env_vars, "WHALEFALL_SCHEDULER", default=False),
            connect_timeout=_number(env_vars, "WHALEFALL_CONNECT_TIMEOUT", 10.0),
            read_timeout=_number(env_vars, "WHALEFALL_READ_TIMEOUT", 120.0),
            instance_timeout=_number(env_vars, "WHALEFALL_INSTANCE_TIMEOUT", 600.0),
            sync_workers=int(_number(env_vars, "WHALEFALL_SYNC_WORKERS", 4, integer=True)),
            retention_days=int(_number(env_vars, "WHALEFALL_RETENTION_DAYS", 90, integer=True)),
            redis_url=(env_vars.get("REDIS_URL") or "").strip() or None,
            warnings=tuple(warnings),
        )


def normalise_database_url(raw: str) -> str:
    """Validate a SQLAlchemy URL and pick our shipped driver when none is named. The raw value is never echoed."""
    try:
        url: URL = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError(
            "DATABASE_URL is not a valid database URL (expected e.g. postgresql://user:password@host:5432/whalefall "
            "or sqlite:////absolute/path/whalefall.db)"
        ) from exc
    if url.drivername in _DEFAULT_DRIVERS:
        url = url.set(drivername=_DEFAULT_DRIVERS[url.drivername])
    try:
        url.get_dialect()
    except NoSuchModuleError as exc:
        raise ConfigError(f"DATABASE_URL names an unsupported database driver {url.drivername!r}") from exc
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    return url.render_as_string(hide_password=False)


def credential_cipher_keys(value: str) -> list[Fernet]:
    """``WHALEFALL_CREDENTIAL_KEY`` may list comma-separated keys: the first encrypts, all decrypt (rotation)."""
    keys = [part.strip() for part in value.split(",") if part.strip()]
    if not keys:
        raise ValueError("no key")
    return [Fernet(key.encode()) for key in keys]


def _number(env_vars: Mapping[str, str], name: str, default: float, integer: bool = False) -> float:
    raw = (env_vars.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number of seconds"
        raise ConfigError(f"{name}={raw!r} is not {kind}") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be greater than zero")
    return value


def _choice(env_vars: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...], upper: bool = False) -> str:
    value = (env_vars.get(name) or default).strip()
    value = value.upper() if upper else value.lower()
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not one of: {', '.join(allowed)}")
    return value


def _flag(env_vars: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env_vars.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no or on/off)")


def _new_secret_key() -> str:
    return secrets.token_urlsafe(48)


def _new_fernet_key() -> str:
    return Fernet.generate_key().decode()


def _secret(env_vars, name, data_dir, filename, production, warnings, generate) -> str:
    value = (env_vars.get(name) or "").strip()
    if value:
        return value
    if production:
        raise ConfigError(f"{name} must be set when WHALEFALL_ENV=production")
    path = data_dir / filename
    if not path.exists():
        warnings.append(f"{name} is not set: generated one into {path}; set {name} to manage it yourself")
    return read_or_create_secret(path, generate)


def read_or_create_secret(path: Path, generate) -> str:
    """Return the secret stored at ``path``, creating it atomically so that concurrent workers agree on one value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(generate() + "\n")
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # atomic: the first worker wins, the others read its value
        finally:
            os.unlink(tmp)
    value = path.read_text().strip()
    if not value:
        raise ConfigError(f"{path} is empty: delete it to have a new secret generated")
    return value
