"""The OpenAPI document and the interactive docs, both behind login, with Swagger UI served locally (no CDN)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, send_from_directory

if TYPE_CHECKING:
    from apiflask import APIFlask

SPEC_PATH = "/api/v1/openapi.json"
DOCS_PATH = "/api/v1/docs"
_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}
docs_assets = Blueprint("api_docs_assets", __name__)


@docs_assets.get(f"{DOCS_PATH}/assets/<name>")
def asset(name: str):
    """Swagger UI's own files, from the swagger-ui-bundle package: the docs work offline."""
    import swagger_ui_bundle

    if name not in _ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, name, max_age=86400)


def configure_docs(app: APIFlask) -> None:
    from whalefall.web.api.blueprint import auth

    app.config.update(
        SPEC_DECORATORS=[auth.login_required(role="viewer")],
        DOCS_DECORATORS=[auth.login_required(role="viewer")],
        SWAGGER_UI_CSS=f"{DOCS_PATH}/assets/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{DOCS_PATH}/assets/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{DOCS_PATH}/assets/swagger-ui-standalone-preset.js",
        SWAGGER_UI_CONFIG={"persistAuthorization": False},
        INFO={"description": "WhaleFall: the inventory of every database account and privilege. Authenticate with "
                            "`Authorization: Bearer <token>` or HTTP Basic; roles viewer < operator < admin."},
    )  # fmt: skip
    app.register_blueprint(docs_assets)
