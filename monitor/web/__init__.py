"""The web page and the JSON API (FastAPI, Jinja2, a little plain JavaScript)."""

from monitor.web.app import create_app

__all__ = ["create_app"]
