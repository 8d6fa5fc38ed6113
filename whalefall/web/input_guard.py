"""Text holding a NUL character is refused at the door, for pages and API alike.

PostgreSQL can neither store nor compare such text: a query with it fails outright, which would reach the client
as a 500 instead of a precise 400. No account, instance or user name can contain one anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, request

if TYPE_CHECKING:
    from flask import Flask

MESSAGE = "NUL characters (\\x00, \\u0000) are not accepted in paths, query strings, forms or JSON bodies"


def install_input_guard(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        if "\x00" in request.path or any("\x00" in text for text in _texts(request.args)):
            abort(400, MESSAGE)
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                if any("\x00" in text for text in _texts(request.form)):
                    abort(400, MESSAGE)
            else:
                body = request.get_data(cache=True)
                if b"\x00" in body or b"\\u0000" in body:
                    abort(400, MESSAGE)


def _texts(multidict):
    for key, values in multidict.lists():
        yield key
        yield from values
