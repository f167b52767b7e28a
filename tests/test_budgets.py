"""Page-weight budgets from DESIGN.md: all JavaScript ≤ 40 KB and all CSS ≤ 15 KB, gzipped.

Measured on what a tablet is sent (app/assets.py: minified, then gzipped), the service worker
included as /sw.js serves it.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from app.assets import minify

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"


def gzipped_total(pattern: str) -> int:
    return sum(len(gzip.compress(minify(p.name, p.read_bytes()), compresslevel=9)) for p in STATIC.glob(pattern))


def test_all_javascript_is_within_40_kb_gzipped():
    total = gzipped_total("js/*.js")
    assert 0 < total <= 40 * 1024, f"JavaScript is {total} bytes gzipped"


def test_all_css_is_within_15_kb_gzipped():
    total = gzipped_total("css/*.css")
    assert 0 < total <= 15 * 1024, f"CSS is {total} bytes gzipped"


def test_no_web_fonts_are_required():
    assert not list(STATIC.rglob("*.woff*")) and not list(STATIC.rglob("*.ttf"))
    assert "@font-face" not in "".join(p.read_text() for p in STATIC.glob("css/*.css"))
