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


def fragment_or_page(page: str, fragment: str, status: int = 200, **context) -> Response:
    """Render the partial for htmx, else the page that includes the same partial; Vary on HX-Request."""
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(location: str) -> Response:
    """Send htmx to another page with a full navigation (HX-Redirect), not a swapped fragment."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = location
    return response
