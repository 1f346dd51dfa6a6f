"""Every message a person reads from a refused rule or a refused input is translatable (#19).

An AST walk over the project's Python files: the message of a ``RuleViolation(code, message)``
(the API's 409 ``detail``) and of a ``ValidationError``/``PermissionDenied``/``ParseError``
(400 field errors, 403 ``detail``) must not be a bare string, an f-string, or a string glued or
%-formatted from a bare string: it is a gettext call (``_("… %(name)s …") % {...}``), or
something built from one (a variable, a helper's answer). English stays the default, the other
languages come from ``locale/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_PARTS = {".venv", "tests", "migrations", "benchmarks", "node_modules", "docs", "scripts"}
# Exceptions whose first argument (RuleViolation: second) is a message for people.
CHECKED = {"RuleViolation", "ValidationError", "PermissionDenied", "ParseError", "NotFound"}


def _bare(node: ast.AST) -> bool:
    """A message a translator never sees: a plain or f-string, or one glued or %-formatted."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _bare(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _bare(node.left) or _bare(node.right)
    if isinstance(node, ast.Dict):
        return any(_bare(value) for value in node.values)
    if isinstance(node, ast.DictComp):
        return _bare(node.value)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_bare(item) for item in node.elts)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    return False


def untranslated(source: str, filename: str = "<source>") -> list[str]:
    """``file:line name`` for each checked exception raised with an untranslated message."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in CHECKED:
            continue
        messages = node.args[1:2] if name == "RuleViolation" else node.args[:1]
        messages += [kw.value for kw in node.keywords if kw.arg in ("message", "detail")]
        if any(_bare(message) for message in messages):
            found.append(f"{filename}:{node.lineno} {name}")
    return found


def _project_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_PARTS & set(relative.parts):
            continue
        yield relative, path


def test_every_refusal_message_is_translatable():
    found = []
    for relative, path in _project_files():
        found += untranslated(path.read_text(encoding="utf-8"), relative.as_posix())
    assert found == [], (
        "Messages without gettext (wrap them in _(…) with %(name)s placeholders):\n" + "\n".join(found)
    )


def test_the_check_finds_bare_and_formatted_messages():
    sample = """
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from refprogram.errors import RuleViolation

def refuse(request, name, field):
    raise RuleViolation("request_closed", "This request is closed.")
    raise RuleViolation("request_closed", f"This request is {request.status}.")
    raise RuleViolation("on_hold", "%s is on hold." % name)
    raise RuleViolation("on_hold", name + " is on hold.")
    raise ValidationError({"reason": "Say why."})
    raise ValidationError({field: f"At most {10} characters."})
    raise ValidationError(["one", _("two")])
    raise RuleViolation("request_closed", _("This request is closed."))
    raise RuleViolation("on_hold", _("%(name)s is on hold.") % {"name": name})
    raise RuleViolation("on_hold", _("a") if name else _("b"))
    raise ValidationError({"reason": _("Say why.")})
    raise ValidationError(exc.messages)
"""
    assert untranslated(sample) == [
        "<source>:7 RuleViolation",
        "<source>:8 RuleViolation",
        "<source>:9 RuleViolation",
        "<source>:10 RuleViolation",
        "<source>:11 ValidationError",
        "<source>:12 ValidationError",
        "<source>:13 ValidationError",
    ]
