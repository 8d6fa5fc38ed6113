"""Every API error is JSON {"error": {"code", "message", "details"}} with the right 4xx; no stack trace leaks."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from flask import request
from werkzeug.exceptions import BadRequest

from whalefall.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, WhaleFallError
from whalefall.core.logging import get_logger

if TYPE_CHECKING:
    from apiflask import APIFlask, HTTPError

log = get_logger(__name__)
_STATUS_OF = ((NotFoundError, 404), (ForbiddenError, 403), (ConflictError, 409), (ValidationError, 400))


def error_body(status: int, message: str, details=None) -> dict:
    code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    return {"error": {"code": code, "message": message, "details": details or {}}}


def install_error_handlers(app: APIFlask) -> None:
    @app.error_processor
    def _http_error(error: HTTPError):
        return error_body(error.status_code, error.message, error.detail), error.status_code, error.headers

    @app.errorhandler(BadRequest)
    def _bad_request(error: BadRequest):
        message = error.description or "bad request"
        if request.is_json and request.get_data() and request.get_json(silent=True) is None:
            message = "the request body is not valid JSON"
        return error_body(400, message), 400

    @app.errorhandler(WhaleFallError)
    def _domain_error(error: WhaleFallError):
        status = next((code for kind, code in _STATUS_OF if isinstance(error, kind)), 400)
        return error_body(status, str(error)), status
