"""A request id on every request: bound into every log line of the request and echoed in ``X-Request-ID``."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import structlog
from flask import g, request

if TYPE_CHECKING:
    from flask import Flask, Response

HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def install_request_ids(app: Flask) -> None:
    @app.before_request
    def _bind_request_id() -> None:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if _ACCEPTABLE.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[HEADER] = g.request_id
        return response

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        structlog.contextvars.clear_contextvars()
