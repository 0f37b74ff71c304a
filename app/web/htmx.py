"""The one helper that decides between an htmx fragment and the full page (STYLE.md habit 3)."""

from __future__ import annotations

from flask import Response, make_response, request


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
