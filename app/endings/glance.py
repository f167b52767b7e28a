"""Endings' closed summary line on the case page: a dormant spell and its review, an ending
waiting for approval, open prompts and prompted tasks (app/features.py CaseSection.glance; no queries)."""

from __future__ import annotations

from app.timeutil import local


def words(section: dict, case) -> str:
    said = []
    spell = section.get("spell")
    if spell is not None:
        was = "was due" if spell.review_due_on <= section["today"] else "due"
        said.append(f"dormant since {local(spell.started_at):%-d %b}, review {was} {spell.review_due_on:%-d %b}")
    pending = section.get("pending")
    if pending and pending[1] is not None and pending[1].status in ("waiting", "returned"):
        said.append("ending awaiting approval" if pending[1].status == "waiting" else "ending returned")
    if section["prompts"]:
        said.append(section["prompts"][0][0][:1].lower() + section["prompts"][0][0][1:])
    open_tasks = [t for t in section["tasks"] if t.done_at is None]
    if open_tasks:
        said.append(f"{len(open_tasks)} prompted task{'s' if len(open_tasks) != 1 else ''} open")
    return " · ".join(said)
