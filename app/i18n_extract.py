"""Babel extraction of the strings kept as data rather than code (babel.cfg, `make i18n`).

The BASE feedback questions live in app/base/data/feedback_questions.json; the young person's and
the parent's sets, their lead-ins and the scale's words are family-facing, so each goes into the
catalog (the social worker's set is a worker screen and stays English).
"""

from __future__ import annotations

import json

FAMILY_SETS = ("young_person", "parent")


def feedback_questions(fileobj, keywords, comment_tags, options):
    data = json.loads(fileobj.read().decode("utf-8"))
    for words in data["scale"].values():
        yield 1, "gettext", words, ["feedback scale"]
    for key in FAMILY_SETS:
        one = data["sets"][key]
        yield 1, "gettext", one["lead"], [f"feedback: lead-in for the {key} set, followed by each question"]
        for question in one["questions"]:
            yield (
                1,
                "gettext",
                question["text"],
                [f"feedback ({key}): completes the lead-in; shown with a question mark"],
            )
