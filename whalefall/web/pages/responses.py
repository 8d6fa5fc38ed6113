"""What every console response shares: errors as pages (the API's stay JSON), no caching of pages (they hold
the inventory, and a new token's secret or a just-typed password), a strict Content-Security-Policy, and the
template helpers."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException

from whalefall.web.pages.access import can
from whalefall.web.pages.auth import pages

# Only the console's own files may run or style a page, and no other site may frame it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pages.after_request
def _security_headers(response):
    if request.endpoint != "pages.static":
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@pages.app_context_processor
def _helpers() -> dict:
    return {"can": can}


def _http_error(error: HTTPException):
    return render_template("error.html", error=error), error.code


# By code as well: Flask prefers any handler registered for the code (the API's JSON ones are app-wide) to a
# blueprint's handler registered for a class.
pages.register_error_handler(HTTPException, _http_error)
for _code in (400, 401, 403, 404, 405, 409, 413, 429):
    pages.register_error_handler(_code, _http_error)
