"""Every reason code a refused rule can answer with is in the one list (``REASON_CODES``) that the
schema's ``ReasonCode`` enum and docs/api.md are made from: a new code cannot be forgotten."""

import ast
from pathlib import Path

from refprogram.errors import REASON_CODES

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "node_modules", "migrations", "benchmarks", "scripts"}
# A RuleViolation whose code is a variable: where it comes from, checked below by hand.
DYNAMIC = {("ledger/services.py", "code")}  # ledger.capacity's verdict: its CODE_* reasons
# CODE_* constants that are not 409 reason codes (a 400 of the import).
NOT_A_REFUSAL = {"import_invalid"}


def _sources():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if not SKIP.intersection(rel.parts):
            yield rel.as_posix(), ast.parse(path.read_text(), filename=str(path))


def _scan():
    constants: dict[str, set[str]] = {}
    raised: set[str] = set()
    named: set[str] = set()
    dynamic: set[tuple[str, str]] = set()
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.startswith("CODE_"):
                        if isinstance(node.value.value, str):
                            constants.setdefault(target.id, set()).add(node.value.value)
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RuleViolation"):
                continue
            first = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "code")
            if isinstance(first, ast.Constant):
                raised.add(first.value)
            elif isinstance(first, ast.Name) and first.id.startswith("CODE_"):
                named.add(first.id)
            else:
                dynamic.add((rel, ast.unparse(first)))
    return constants, raised, named, dynamic


def test_every_raised_code_is_in_the_list():
    constants, raised, named, dynamic = _scan()
    assert raised, "the scan found no RuleViolation with a literal code: is it still scanning?"
    assert named, "the scan found no RuleViolation with a CODE_ constant: is it still scanning?"
    missing = raised - set(REASON_CODES)
    for name in named:
        assert name in constants, f"{name} is raised but never assigned a string"
        missing |= constants[name] - set(REASON_CODES)
    assert missing == set(), f"add these to refprogram.errors.REASON_CODES: {sorted(missing)}"
    assert dynamic <= DYNAMIC, f"a RuleViolation with a computed code: {sorted(dynamic - DYNAMIC)}"


def test_every_code_constant_is_in_the_list():
    """The capacity verdict's reasons are raised through a variable: their constants count too."""
    constants, *_ = _scan()
    values = set().union(*constants.values()) - NOT_A_REFUSAL
    assert values - set(REASON_CODES) == set()
    for code in ("over_reference_cap", "over_customer_cap", "in_rest_period", "reference_stale"):
        assert code in values


def test_every_listed_code_says_what_it_means():
    assert len(REASON_CODES) >= 30
    for code, meaning in REASON_CODES.items():
        assert code == code.lower() and " " not in code
        assert meaning.endswith(".") and len(meaning) > 15, code


def test_the_api_quick_start_lists_every_code():
    text = (ROOT / "docs" / "api.md").read_text()
    missing = [code for code in REASON_CODES if f"| `{code}` |" not in text]
    assert missing == []
