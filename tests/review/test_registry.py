"""What changed between two versions, section by section."""

from __future__ import annotations

from app.review import registry


def test_compare_marks_added_and_removed_lines_per_section():
    before = [("Strengths", "Nan collects Kayla.\nMum came to every meeting."), ("Next steps", "")]
    after = [("Strengths", "Nan collects Kayla.\nKayla joined the youth club."), ("Next steps", "")]
    strengths, next_steps = registry.compare(after, before)
    assert strengths.added == ["Kayla joined the youth club."]
    assert strengths.removed == ["Mum came to every meeting."]
    assert strengths.changed and not next_steps.changed


def test_first_version_has_nothing_marked_as_changed():
    changes = registry.compare([("Harm", "Out all night.")], None)
    assert not changes[0].changed and changes[0].text == "Out all night."


def test_every_kind_has_a_label_and_unknown_kinds_read_plainly():
    assert registry.label("sos_map") == "Signs of Safety map"
    assert registry.label("network_meeting") == "Network meeting notes"
    assert registry.label("reopen_request") == "Reopen request"
