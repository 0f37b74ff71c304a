"""The one helper that decides between an htmx fragment and the full page (STYLE.md habit 3)."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def wants_fragment() -> bool:
    """True for an htmx request that swaps a part of the page (not boosted, not a history restore)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def hx_redirect(location: str) -> Response:
    """Send htmx to another page with a full navigation (HX-Redirect), not a swapped fragment."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = location
    return response


def render_region(page: str, partial: str, status: int = 200, **context) -> Response:
    """The partial for an htmx swap, else the full page that includes it; varies on HX-Request."""
    response = make_response(render_template(partial if wants_fragment() else page, **context), status)
    response.vary.add("HX-Request")
    return response
