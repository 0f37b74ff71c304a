"""A user agent in a few words (« Chrome sur Android »), for the « Journal d'activité » (pure).

Not a full parser: it names the browsers and systems a practice uses, in the order that matters
(Edge and Opera also say "Chrome", Chrome also says "Safari", iPadOS says "Mac OS X").
"""

from __future__ import annotations

# (marker in the user agent, browser name), first match wins.
BROWSERS = (
    ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"), ("Opera", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Chromium/", "Chrome"),
    ("Safari/", "Safari"),
    ("Trident/", "Internet Explorer"), ("MSIE ", "Internet Explorer"),
)

SYSTEMS = (
    ("iPad", "iPad"), ("iPhone", "iPhone"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"), ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)

UNKNOWN = "Navigateur inconnu"


def _first(agent: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in table if marker in agent), None)


def describe_user_agent(agent: str | None) -> str:
    """« Chrome sur Android », « Safari sur iPad », « Firefox », « Navigateur sur Linux »; unknown otherwise."""
    if not agent:
        return "—"
    browser = _first(agent, BROWSERS)
    system = _first(agent, SYSTEMS)
    if browser and system:
        return f"{browser} sur {system}"
    if browser:
        return browser
    if system:
        return f"Navigateur sur {system}"
    return UNKNOWN
