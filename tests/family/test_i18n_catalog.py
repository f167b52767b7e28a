"""The family screens' words: every one goes through gettext, reads at a reading age of nine, and
each language's catalog is complete and says how far it has been checked (issue 22)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import textstat
from babel.messages.pofile import read_po
from jinja2 import nodes

from app import i18n
from app.templating import templates

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "app" / "locale" / "messages.pot"

# Every template a family member sees (family mode's own screens and the family letter's print page).
FAMILY_TEMPLATES = [
    "family/base_family.html",
    "family/home.html",
    "family/who.html",
    "family/hand_back.html",
    "family/locked_out.html",
    "errors/family_locked.html",
    "diamond/family_aim.html",
    "diamond/family_done.html",
    "base_assessment/family_feedback.html",
    "base_assessment/_feedback.html",
    "signs_of_safety/family_house.html",
    "signs_of_safety/family_scale.html",
    "network/letter_print.html",
]
GETTEXT_CALLS = {"_", "gettext", "ngettext"}

# Names of the practice (and the one sentence crediting it) that cannot be put more simply.
READING_AGE_ALLOWED = {
    "These questions come from the Diamond, an idea from ThemPra Social Pedagogy. The numbers help us talk. They are not a test.",
}
MAX_GRADE = 4.0
# Flesch-Kincaid grades sentences: on a label of four words or fewer ("Finish", "Really good") its
# formula measures only syllables, so labels that short are not graded.
MIN_WORDS = 5


def _words_outside_gettext(name: str, source: str | None = None) -> list[str]:
    """Words a reader would see that are not inside a gettext call: the template's text once every
    expression, statement and comment is taken out (markup stripped, but the words of aria-label,
    title, alt and placeholder kept), and string constants holding a sentence (with a space) that
    no gettext call takes."""
    if source is None:
        source = templates.env.loader.get_source(templates.env, name)[0]
    text = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    text = re.sub(r"\{% block body_class %\}.*?\{% endblock %\}", " ", text)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    found = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*[A-Za-z]{2,}[^"]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&\w+;|\bHomeward\b", " ", text)
    found += [line.strip() for line in text.splitlines() if re.search(r"[A-Za-z]{2,}", line)]
    tree = templates.env.parse(source)
    inside = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_CALLS:
            inside |= {id(const) for const in call.find_all(nodes.Const)}
    for const in tree.find_all(nodes.Const):
        words = re.sub(r"<[^>]*>", "", const.value) if isinstance(const.value, str) else ""
        if " " in words.strip() and id(const) not in inside and re.search(r"[A-Za-z]{2,}", words):
            found.append(const.value)
    return found


@pytest.mark.parametrize("name", FAMILY_TEMPLATES)
def test_every_word_on_a_family_screen_goes_through_gettext(name):
    assert _words_outside_gettext(name) == []


# Printed without the layout (app.css hides header, footer and skip link in print): on screen the
# print page is the worker's, in the worker's layout.
PRINTED = {"network/letter_print.html"}


def _layout_shown_around(name: str) -> str:
    """The part of base.html a family screen shows around its own blocks: base.html with every
    block the screen (or a layout between) fills in taken out; "" for a fragment not in it."""
    overridden: set[str] = set()
    while name != "base.html":
        tree = templates.env.parse(templates.env.loader.get_source(templates.env, name)[0])
        overridden |= {block.name for block in tree.find_all(nodes.Block)}
        parent = tree.find(nodes.Extends)
        if parent is None:
            return ""
        name = parent.template.value
    base = templates.env.loader.get_source(templates.env, "base.html")[0]
    for block in overridden:
        base = re.sub(rf"\{{%-? block {block} -?%\}}.*?\{{%-? endblock -?%\}}", " ", base, flags=re.S)
    return base


@pytest.mark.parametrize("name", [t for t in FAMILY_TEMPLATES if t not in PRINTED])
def test_every_word_of_the_layout_around_a_family_screen_goes_through_gettext(name):
    assert _words_outside_gettext("base.html", _layout_shown_around(name)) == []


def test_the_layout_check_sees_the_worker_header_and_footer_a_screen_leaves_in_place():
    source = '{% extends "base.html" %}{% block content %}{{ _("Fine") }}{% endblock %}'
    original = templates.env.loader.get_source
    try:
        templates.env.loader.get_source = lambda env, name: (
            (source, None, None) if name == "synthetic.html" else original(env, name)
        )
        found = _words_outside_gettext("base.html", _layout_shown_around("synthetic.html"))
    finally:
        templates.env.loader.get_source = original
    assert "Log out" in found and "Main" in found


def test_the_check_finds_a_word_left_in_english():
    source = (
        '{% extends "family/base_family.html" %}{% block family_content %}<h1>Hello</h1>'
        '<p>{{ _("Fine") }}</p>{{ "Not fine here" if x }}<ol aria-label="Progress"></ol>{% endblock %}'
    )
    original = templates.env.loader.get_source
    try:
        templates.env.loader.get_source = lambda env, name: (source, None, None)
        found = _words_outside_gettext("synthetic.html")
    finally:
        templates.env.loader.get_source = original
    assert "Hello" in found and "Not fine here" in found and "Progress" in found
    assert not any("Fine" in each for each in found)


def _catalog_messages() -> list[str]:
    with POT.open("rb") as fp:
        catalog = read_po(fp)
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id]


def _plain(message: str) -> str:
    text = re.sub(r"%\(\w+\)s|\{\w+\}", "Sam", message)
    return re.sub(r"\s+", " ", re.sub(r"[…()]", " ", text)).strip()


def test_the_catalog_holds_every_marked_string():
    """The committed messages.pot is what `make i18n` extracts now: no string missed, none stale."""
    out = ROOT / "var" / "check.pot"
    out.parent.mkdir(exist_ok=True)
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "extract", "-F", "babel.cfg", "--no-location", "--sort-output",
         "--omit-header", "-k", "gettext_in:2", "-c", "TRANSLATORS:", "-o", str(out), ".", "app/templates/_macros"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with out.open("rb") as fp:
        fresh = {m.id for m in read_po(fp) if m.id}
    with POT.open("rb") as fp:
        committed = {m.id for m in read_po(fp) if m.id}
    assert fresh == committed, "run `make i18n` and commit the catalogs"


def test_every_english_family_string_reads_at_a_reading_age_of_nine():
    too_hard = {}
    for message in _catalog_messages():
        if message in READING_AGE_ALLOWED or len(_plain(message).split()) < MIN_WORDS:
            continue
        grade = textstat.flesch_kincaid_grade(_plain(message))
        if grade > MAX_GRADE:
            too_hard[message] = grade
    assert too_hard == {}


def test_the_reading_age_check_catches_the_old_feedback_question():
    old = "building a secure base that makes you safer, more resilient and able to succeed even when it gets tough"
    assert textstat.flesch_kincaid_grade(_plain(old)) > MAX_GRADE


@pytest.mark.parametrize("code", [c for c in i18n.LANGUAGES if c != "en"])
def test_each_language_translates_every_string_and_says_it_is_drafted(code):
    with POT.open("rb") as fp:
        wanted = {m.id for m in read_po(fp) if m.id}
    po = ROOT / "app" / "locale" / code / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=code)
    missing = [m for m in wanted if not (catalog.get(m) and all(catalog.get(m).string))]
    assert missing == []
    assert i18n.review_status(code) == "drafted"
    for message in catalog:
        if message.id and isinstance(message.id, str):
            # Placeholders survive translation, or the screen would show the wrong name or crash.
            assert set(re.findall(r"%\(\w+\)s|\{\w+\}", message.id)) == set(
                re.findall(r"%\(\w+\)s|\{\w+\}", message.string)
            ), (code, message.id)


# The modules holding the family screens' routes: what they refuse or flash is read by the family.
FAMILY_ROUTE_MODULES = [
    "app/family/routes.py",
    "app/diamond/routes.py",
    "app/base/feedback_routes.py",
    "app/signs_of_safety/family_routes.py",
]
MARKS = {"gettext", "ngettext", "N_"}
# Said to the worker, on the worker's screen the hand-back opens: English, as every worker screen.
FOR_THE_WORKER = {"Welcome back. Family mode has ended."}


def _marked(node: ast.AST) -> bool:
    """A message made by a gettext call (formatted after, or not), or not written here at all."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _marked(node.func.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _marked(node.left)
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return name in MARKS
    if isinstance(node, ast.Constant):
        return node.value in FOR_THE_WORKER
    return not isinstance(node, ast.JoinedStr)


def _messages_left_in_english(source: str) -> list[str]:
    """Words a family screen's route gives as a refusal (`form.error`, an `…Error`/`Refused`) or a
    flash without a gettext call: in every function that opens a family screen (`family_access`)
    and every function of the module those call, however deep."""
    tree = ast.parse(source)
    functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}

    def calls(function) -> set[str]:
        return {c.func.id for c in ast.walk(function) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}

    todo = [name for name, f in functions.items() if "family_access" in calls(f)]
    family: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in family:
            family.add(name)
            todo += [callee for callee in calls(functions[name]) if callee in functions]
    found = []
    for name in sorted(family):
        for call in ast.walk(functions[name]):
            if not isinstance(call, ast.Call):
                continue
            callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if callee in ("error", "flash") and len(call.args) >= 2:
                message = call.args[1]
            elif (callee.endswith("Error") or callee == "Refused") and call.args:
                message = call.args[0]
            else:
                continue
            if not _marked(message):
                found.append(f"{name}: {ast.unparse(message)}")
    return found


@pytest.mark.parametrize("module", FAMILY_ROUTE_MODULES)
def test_every_message_a_family_route_gives_goes_through_gettext(module):
    assert _messages_left_in_english((ROOT / module).read_text()) == []


def test_the_check_finds_a_refusal_left_in_english():
    source = (
        "def page(form):\n    family_access()\n    _check(form)\n    flash(request, gettext('Saved.'))\n"
        "def _check(form):\n    form.error('id', 'This form is out of date.')\n"
        "    form.error('pin', gettext('Wrong {n}').format(n=1))\n    raise HandoverError(f'{n} tries left.')\n"
        "def worker_page(form):\n    form.error('name', 'A name is needed.')\n"
    )
    assert _messages_left_in_english(source) == [
        "_check: 'This form is out of date.'",
        "_check: f'{n} tries left.'",
    ]
