"""The house keeps its shape: small modules, and the organisation tree's fields read only in
the access module (goals/permissions.py). Import directions are held by `make lint`
(import-linter); these hold what it cannot see."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "goals", "quality", "governance", "followup", "reporting", "demo", "ops"]
MAX_LINES = 700


def _modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path


def test_no_module_is_longer_than_a_newcomer_reads_at_once():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these by what they do (at most {MAX_LINES} lines): {long}"


# A filter or an order on mptt's tree fields, or the per-request access cache.
TREE_RULE = re.compile(r"(lft|rght|tree_id)(__|\"|')|\.(lft|rght)\b|_styr_access")
# The org tree's write service and the large municipality's bulk builder handle mptt's
# bookkeeping fields themselves; neither decides who sees what.
ALLOWED = {"goals/permissions.py", "goals/services.py", "demo/large.py"}


def test_subtree_rules_live_in_the_access_module_only():
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in _modules()
        if str(p.relative_to(ROOT)) not in ALLOWED
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if TREE_RULE.search(line)
    ]
    assert not found, "ask goals.permissions instead:\n" + "\n".join(found)
