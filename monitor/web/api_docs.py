"""The browsable API docs at `/api/docs`, served from the package: no CDN, no inline script.

Swagger UI 5 (which reads OpenAPI 3.1) comes from the files of the `fastapi-offline`
package; the page loads it and `static/api-docs.js` from this server only, under a
Content-Security-Policy that differs from the pages' one only by allowing the style
attributes Swagger UI sets.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/api/docs"
ASSETS_PATH = "/api/docs/assets"
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
PAGE = """<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>Otklik API — документация</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH, response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    """The Swagger UI page over `/api/openapi.json`."""
    html = PAGE.format(assets=ASSETS_PATH, openapi="/api/openapi.json")
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})


def install(app: FastAPI) -> None:
    """Serve the docs page and Swagger UI's files from the package."""
    bundle = resources.files("fastapi_offline") / "static"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(bundle)), name="api-docs")
    app.include_router(router)
