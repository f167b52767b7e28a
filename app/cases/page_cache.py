"""The case page's rendered body, cached per case version, viewer and hour (issue 21).

A repeat view of an unchanged case is served from here instead of being rebuilt from every
feature's sections, timeline and flags. It is safe because of what the key holds:

- `case.page_version`, which every write to anything the case page shows moves in the same
  transaction (the flush hook in app/page_versions.py; tests/cases/test_page_version.py checks every table
  and every feature's writes). Each request reads it afresh with the case (get_case), so two app
  processes cannot serve each other's old pages;
- the case's id, reference and opening time (a database emptied and filled again reuses ids);
- the viewer's id, role and team, and the page's language (what they may do and read);
- the settings that change the page (flag thresholds, the first-contact target);
- the local hour and its offset from UTC (ages, days open, "overdue" and the flags move with the
  clock), and whether the first-contact target has passed (that flag is raised at an instant, not
  on the hour). A flag timed to the instant otherwise (the family's wrong Worker PINs, shown for 28
  days) may so stay up to an hour longer: it never shows late, only lingers;
- staff names: a change to a user's full name moves every case's version (rare, and a worker's
  name is on every case they touched);
- whether a case's workers are still there: disabling one, or changing their team or role, moves
  the versions of the cases they hold as key worker or co-worker (the flag "a worker on this case
  has left: reallocate").

A version identifies what the case held only along one history: restoring a backup rewinds it,
so `homeward restore` is run with the app servers stopped (app/backup.py), which empties these
in-process caches. Only the page body is cached: the header, the flash messages and anything else per request are
rendered around it every time, and every view is still audited (get_case). Each app process keeps
its own bounded LRU; nothing is shared between processes or written to disk.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from app import i18n
from app.cases.flags import first_contact_overdue
from app.flashcookie import FLASH_COOKIE
from app.timeutil import local, utcnow

MAX_PAGES = 2_000  # about 20 KB each, the body and the whole page gzipped: some 40 MB a process (CASE_PAGE_CACHE_PAGES)


@dataclass
class CachedPage:
    """A case page's body (its content block) and, once sent, the whole page around it gzipped.

    The whole page adds only the header and footer, which show the viewer's name and the links
    their role has (both in the key but the name, kept beside it); a request with a flash message
    waiting gets the page rendered around the body instead. Sending the kept bytes skips the
    template and the compression that were a fifth of a repeat view's CPU (issue 21)."""

    body: str
    sent: tuple[str, bytes] | None = None  # (the viewer's name it shows, the page gzipped)


def sendable(request: Request) -> bool:
    """Whether `request` may take a kept whole page: it accepts gzip (as GZipMiddleware asks) and
    has no flash message waiting, which belongs to this response alone."""
    return "gzip" in request.headers.get("accept-encoding", "") and not request.cookies.get(FLASH_COOKIE)


def send_whole(page: CachedPage, viewer_name: str, render) -> Response:
    """The whole page, gzipped, from `page`; `render()` makes it the first time (or after the
    viewer's name changed). Two requests making it at once each keep theirs: either is right."""
    sent = page.sent
    if sent is None or sent[0] != viewer_name:
        sent = page.sent = (viewer_name, gzip.compress(render().body, compresslevel=6, mtime=0))
    return Response(
        sent[1],
        media_type="text/html",
        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding, HX-Request, Cookie"},
    )


class PageCache:
    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


pages = PageCache()


def _settings_key(settings) -> str:
    """Every setting (about 12 µs): a threshold a flag or a section reads changes the page."""
    return settings.model_dump_json()


def key(*, case, actor, settings, now: datetime | None = None) -> tuple:
    now = now or utcnow()
    user = actor.user
    return (
        case.id,
        case.page_version,
        case.reference,
        case.opened_at,
        user.id,
        str(user.role),
        user.team_id,
        i18n.current_language(),
        _settings_key(settings),
        local(now).strftime("%Y-%m-%d %H %z"),  # the offset too: the night the clocks go back has two 01:00 hours
        first_contact_overdue(case, now=now, target_hours=settings.first_contact_target_hours),
    )
