"""Pure rules for offline operations."""

from __future__ import annotations

from datetime import date

from app.sync.rules import as_text, is_stale


def test_edit_from_an_older_version_is_stale_and_one_without_a_base_version_is_not():
    assert is_stale(base_version=1, current_version=2)
    assert not is_stale(base_version=2, current_version=2)
    assert not is_stale(base_version=None, current_version=5)


def test_stored_values_become_the_text_a_form_would_send():
    assert [as_text(True), as_text(False), as_text(None), as_text(date(2011, 5, 17)), as_text(3)] == [
        "1",
        "",
        "",
        "2011-05-17",
        "3",
    ]
