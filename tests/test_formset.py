"""Repeated rows (tasks, attendees, goals) are read by one helper, each error beside its own box."""

from __future__ import annotations

from app.forms import Form, formset


def test_rows_follow_the_count_the_page_drew_and_errors_land_on_the_row():
    form = Form({"task-count": "2", "task-0-what": "Walk to school", "task-1-who": "Nan", "task-2-what": "ignored"})
    rows = formset(form, "task")
    assert [row.text("what") for row in rows] == ["Walk to school", ""]
    rows[1].error("what", "Please say what needs doing.")
    assert form.errors == {"task-1-what": "Please say what needs doing."}


def test_a_fixed_number_of_rows_and_a_row_named_by_itself():
    form = Form({"goal_0_rating": "met", "decision-0": "Stay with Nan"})
    assert formset(form, "goal", count=1, sep="_")[0].choice("rating", ["met", "not_met"]) == "met"
    assert formset(form, "decision", count=1)[0].text() == "Stay with Nan"


def test_the_count_is_capped_so_a_forged_form_cannot_ask_for_many_rows():
    form = Form({"extra-count": "5000"})
    assert len(formset(form, "extra", max_rows=30)) <= 30
