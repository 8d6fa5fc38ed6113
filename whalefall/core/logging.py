"""structlog setup: JSON lines to a rotated file, readable lines on the console, secrets never written.

Secrets are stopped twice: a processor masks sensitive keys and known secret values in the event, and the
handlers' formatter scrubs the final line (tracebacks and driver messages included) before it is written.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import TYPE_CHECKING, Any

import structlog
from concurrent_log_handler import ConcurrentRotatingFileHandler

if TYPE_CHECKING:
    from pathlib import Path

LOG_FILE_NAME = "whalefall.log"
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUP_COUNT = 5
MASK = "***"

_SENSITIVE_KEY = re.compile(r"pass(word|wd)?|secret|token|credential|api_?key|authorization", re.IGNORECASE)
# user:password@ in URLs / DSNs, and password=... in key/value connection strings.
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)(?P<secret>[^@\s]+)(?=@)", re.IGNORECASE)
_KV_PASSWORD = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*[=:]\s*)(?P<secret>'[^']*'|\"[^\"]*\"|[^\s,;]+)", re.I)

_known_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_MIN_SECRET_LENGTH = 4
_OUR_HANDLER = "_whalefall_handler"


def register_secret(value: str | None) -> None:
    """Remember a plaintext secret (a decrypted password, a key) so that no log line can ever contain it."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _secrets_lock:
            _known_secrets.add(value)


def redact_text(text: str) -> str:
    """Mask every known secret and every password-looking fragment in ``text``."""
    with _secrets_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    return _KV_PASSWORD.sub(lambda m: m.group("head") + MASK, text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: MASK if _SENSITIVE_KEY.search(str(k)) else _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(v) for v in value)
    return value


def redact_event(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: mask sensitive keys and secret values before rendering."""
    return {
        key: (MASK if key != "event" and _SENSITIVE_KEY.search(key) else _redact_value(value))
        for key, value in event_dict.items()
    }


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter and scrubs the final line, which also covers tracebacks and foreign log records."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(self.inner.format(record))


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_event,
    ]


def _formatter(renderer: Any) -> logging.Formatter:
    return RedactingFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_shared_processors(),
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )


def configure_logging(log_dir: Path, level: str = "INFO", console_level: str | None = None) -> None:
    """Route structlog and stdlib logging to the rotated JSON file and the console. Safe to call again."""
    log_dir.mkdir(parents=True, exist_ok=True)
    structlog.configure(
        processors=[*_shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    file_handler = ConcurrentRotatingFileHandler(
        str(log_dir / LOG_FILE_NAME), maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.setFormatter(_formatter(structlog.processors.JSONRenderer(ensure_ascii=False)))
    file_handler.setLevel(level)
    console_handler = logging.StreamHandler(sys.stderr)
    console_handler.setFormatter(_formatter(structlog.dev.ConsoleRenderer(colors=False)))
    console_handler.setLevel(console_level or level)

    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OUR_HANDLER, False)]:
        root.removeHandler(handler)
        handler.close()
    for handler in (file_handler, console_handler):
        setattr(handler, _OUR_HANDLER, True)
        root.addHandler(handler)
    root.setLevel(level)
    # Third-party chatter stays out unless it is a warning.
    for noisy in ("werkzeug", "apscheduler", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))


def set_console_level(level: str) -> None:
    """Raise or lower the console's verbosity (CLI commands keep it quiet, servers make it informative)."""
    for handler in logging.getLogger().handlers:
        is_console = isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
        if getattr(handler, _OUR_HANDLER, False) and is_console:
            handler.setLevel(level)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
