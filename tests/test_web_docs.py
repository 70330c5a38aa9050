"""`/api/docs` is served from the package under a Content-Security-Policy, with no CDN."""

from __future__ import annotations

import re

from tests import web_helpers

store = web_helpers.store  # the shared fixture, bound here so pytest finds it


def test_docs_page_and_its_assets_come_from_this_server(store):
    client = store.client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert "<script>" not in page.text  # no inline script
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(link.startswith("/") for link in sources), sources
    for link in sources:
        asset = client.get(link)
        assert asset.status_code == 200 and len(asset.content) > 100, link
    assert "SwaggerUIBundle" in client.get("/static/api-docs.js").text
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Otklik API"
