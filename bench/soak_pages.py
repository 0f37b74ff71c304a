"""What `make soak` reads in the portal's pages, shared by the tablets (bench/soak_tablet.py, run by
locust) and by the run's end (bench/soak.py): the accusé de réception and its amounts."""

from __future__ import annotations

import re
from decimal import Decimal

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ACCUSE = re.compile(r"<strong data-accuse>([^<]+)</strong>")
TOTAL = re.compile(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>")
ACCUSE_PATH = re.compile(r"^/fse/(\d+)/accuse$")
# The totals of the accusé (templates/fse/_recap.html) and the FSE columns they are copied to.
TOTAL_NAMES = {"Tarif de base": "total_base", "Honoraires facturés": "total_facture",
               "Part caisse": "part_caisse", "Part patient": "part_patient"}
AMOUNTS = tuple(TOTAL_NAMES.values())


def euros(text: str) -> str:
    """« 1 234,56 € » → "1234.56" (the page's French format, thin spaces included)."""
    digits = re.sub(r"[^0-9,\-]", "", text).replace(",", ".")
    return str(Decimal(digits).quantize(Decimal("0.01")))


def read_accuse(html: str) -> dict | None:
    """The accusé's number and its amounts as the page shows them, or None if they are not all there."""
    accuse = ACCUSE.search(html)
    totals = {TOTAL_NAMES[name]: euros(value) for name, value in TOTAL.findall(html) if name in TOTAL_NAMES}
    if accuse is None or len(totals) != len(TOTAL_NAMES):
        return None
    return {"accuse": accuse.group(1), **totals}


def line(accuse: str, amounts: dict) -> str:
    """One transmission as both sides write it for the checksum."""
    return ";".join([accuse, *(str(Decimal(str(amounts[name])).quantize(Decimal("0.01"))) for name in AMOUNTS)])
