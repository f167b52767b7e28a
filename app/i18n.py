"""The family screens in the family's language: gettext catalogs (Babel), one language per request.

Catalogs live in app/locale/<lang>/LC_MESSAGES/messages.po (docs/i18n.md). `make i18n` extracts the
strings (babel.cfg) and compiles the .mo files; `make install` compiles them too. A catalog whose
.mo is missing or older than its .po is compiled in memory here, so a fresh clone, a wheel and the
Docker image all work without a build step.

The language of the request being rendered is a context variable: a family route sets it
(`use`) once it knows who is rating, and every template, macro and Python string after that reads
it. Anything not set answers in English, so worker screens are unchanged.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switch shows it
    english: str  # for the worker's screens
    rtl: bool = False
    speech: str = ""  # the BCP 47 tag a device's voices use


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English", speech="en-GB"),
        Language("pl", "Polski", "Polish", speech="pl-PL"),
        Language("ro", "Română", "Romanian", speech="ro-RO"),
        Language("ur", "اردو", "Urdu", rtl=True, speech="ur-PK"),
        Language("ar", "العربية", "Arabic", rtl=True, speech="ar"),
        Language("cy", "Cymraeg", "Welsh", speech="cy-GB"),
    )
}

_current: ContextVar[str] = ContextVar("homeward_language", default=DEFAULT)


def N_(message: str) -> str:
    """Mark a string for the catalog without translating it here (it is translated where shown)."""
    return message


def _po(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=16)
def translations(code: str) -> NullTranslations:
    """The catalog of `code` (English and unknown codes: the source strings themselves)."""
    po = _po(code)
    if code == DEFAULT or not po.exists():
        return NullTranslations()
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fp:
            return Translations(fp)
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@lru_cache(maxsize=16)
def review_status(code: str) -> str:
    """The catalog header's X-Review-Status: "drafted" or "checked" (by a qualified translator)."""
    if code == DEFAULT:
        return "source"
    po = _po(code)
    if not po.exists():
        return "missing"
    # In the header's comment (kept by `pybabel update`) and in its fields.
    for line in po.read_text(encoding="utf-8").splitlines()[:40]:
        line = line.lstrip('#" ')
        if line.startswith("X-Review-Status:"):
            return line.split(":", 1)[1].replace("\\n", "").strip(' "')
    return "drafted"


def use(code: str | None) -> str:
    """Render the rest of this request in `code` (an unknown code means English)."""
    code = code if code in LANGUAGES else DEFAULT
    _current.set(code)
    return code


def current() -> str:
    return _current.get()


def current_language() -> Language:
    return LANGUAGES[_current.get()]


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def gettext_in(code: str, message: str) -> str:
    """`message` in `code`, whatever this request is rendered in (the family letter)."""
    return translations(code if code in LANGUAGES else DEFAULT).gettext(message)


def day(value) -> str:
    """A date as the page's language writes it ("5 December 2026", "5 grudnia 2026")."""
    if not value:
        return ""
    code = _current.get()
    if code == DEFAULT:
        return value.strftime("%-d %B %Y")
    return format_date(value, "d MMMM y", locale=code)
