"""make loadtest: did any kept save get lost? The locust journeys' saves against the database.

    python bench/lostupdates.py SAVES.jsonl [--json OUT]

Every save the server kept (a redirect, not a 409) is a line of SAVES.jsonl (bench/locustfile.py).
A versioned save was made from version `base_version` and so, if the version check held, wrote
version base_version + 1. This counts as lost:

- two kept saves of the same object that wrote the same version (one overwrote the other
  without seeing it: the 409 should have refused it);
- a kept save with no history record of its own (django-simple-history: that version by that
  user, with what it wrote);
- a field whose value in the database is not what the last kept save that changed it wrote
  (a later write that had not seen it, or none at all, replaced it).

An import (goals) is not version-checked by the user, but bumps the version: it is ordered by
its history record. Comments and moves are checked to exist. Prints a summary; exit status 1
when anything was lost.
"""

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")

import django  # noqa: E402

django.setup()

from goals.models import (  # noqa: E402
    ActivityFollowUp,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    ReviewComment,
    Submission,
    SubmissionEvent,
    Target,
)

FOLLOWUP_URL = re.compile(r"/uppfoljning/(\d+)/([^/]+)/")


def same(written, stored) -> bool:
    if stored is None:
        stored = ""
    a, b = str(written).replace("\r\n", "\n").strip(), str(stored).replace("\r\n", "\n").strip()
    if a == b:
        return True
    try:
        return Decimal(a.replace("\xa0", "").replace(" ", "").replace(",", ".")) == Decimal(b)
    except (InvalidOperation, ValueError):
        return False


def followup_value(submission: Submission, name: str):
    """The stored value behind one field of the follow-up form."""
    if name in ("analysis", "budget_frame_tkr", "outcome_tkr", "forecast_tkr"):
        return getattr(submission, name)
    prefix, pk, field = name.split("-", 2)
    pk = int(pk)
    if prefix == "ind":
        row = Measurement.objects.filter(indicator_id=pk, occasion=submission.occasion).first()
    elif prefix == "mal":
        row = GoalAssessment.objects.filter(submission=submission, direction_goal_id=pk).first()
    elif prefix == "akt":
        row = ActivityFollowUp.objects.filter(submission=submission, activity_id=pk).first()
    elif prefix == "svar":
        row, field = ReviewComment.objects.filter(pk=pk).first(), "answer"
    else:
        return None
    return getattr(row, field, None) if row is not None else None


class Check:
    def __init__(self):
        self.lost = []
        self.checked = defaultdict(int)

    def lose(self, what: str) -> None:
        self.lost.append(what)

    def versioned(self, label, saves, *, history, current, value_of) -> None:
        """Saves of one object: (resulting version, user, fields); `history`: its records."""
        by_version = defaultdict(list)
        for version, save in saves:
            by_version[version].append(save)
        for version, same_version in by_version.items():
            if len(same_version) > 1:
                users = ", ".join(s["user"] for s in same_version)
                self.lose(
                    f"{label}: {len(same_version)} sparningar skrev version {version} ({users})"
                )
        records = {}
        for record in history:
            records.setdefault(record.version, []).append(record)
        for version, save in saves:
            if version is None:
                continue
            mine = [
                r
                for r in records.get(version, [])
                if r.history_user is not None and r.history_user.username == save["user"]
            ]
            if not mine:
                self.lose(
                    f"{label}: {save['user']}s sparning (version {version}) saknas i historiken"
                )
        last = {}
        for version, save in sorted(saves, key=lambda item: item[0] or 0):
            for name, value in save["fields"].items():
                last[name] = (version, save["user"], value)
        for name, (version, user, value) in last.items():
            stored = value_of(current, name)
            if not same(value, stored):
                self.lose(
                    f"{label}: {name} är {str(stored)[:40]!r}, men {user} sparade "
                    f"{str(value)[:40]!r} sist (version {version})"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("saves")
    parser.add_argument("--json", help="write the result here as JSON")
    args = parser.parse_args()
    lines = [json.loads(line) for line in Path(args.saves).read_text().splitlines() if line]
    check = Check()
    by_kind = defaultdict(list)
    for save in lines:
        by_kind[save["kind"]].append(save)
        check.checked[save["kind"]] += 1

    followups = defaultdict(list)
    for save in by_kind["followup"]:
        followups[save["url"]].append(save)
    for url, saves in followups.items():
        occasion_id, code = FOLLOWUP_URL.search(url).groups()
        submission = Submission.objects.select_related("occasion").get(
            occasion_id=occasion_id, org_unit__code=code
        )
        check.versioned(
            f"uppföljning {code}",
            [(s["base_version"] + 1, s) for s in saves],
            history=submission.history.select_related("history_user"),
            current=submission,
            value_of=followup_value,
        )

    goals = defaultdict(list)
    for save in by_kind["goal"]:
        goals[save["pk"]].append(save)
    for save in by_kind["import_goal"]:
        pk = DirectionGoal.objects.filter(code=save["code"]).values_list("pk", flat=True).first()
        goals[pk].append(save)
    for pk, saves in goals.items():
        goal = DirectionGoal.objects.get(pk=pk)
        history = list(goal.history.select_related("history_user"))
        placed = []
        for save in saves:
            if save["base_version"] is not None:
                placed.append((save["base_version"] + 1, save))
                continue
            # An import: its version is the one its history record has.
            mine = [
                r.version
                for r in history
                if r.history_user
                and r.history_user.username == save["user"]
                and same(save["fields"]["description"], r.description)
            ]
            if not mine:
                check.lose(f"mål {goal.code}: {save['user']}s import saknas i historiken")
                continue
            placed.append((min(mine), save))
        check.versioned(
            f"mål {goal.code}",
            placed,
            history=history,
            current=goal,
            value_of=lambda g, name: getattr(g, name),
        )

    targets = defaultdict(list)
    for save in by_kind["target"]:
        targets[(save["pk"], save["year"])].append(save)
    for (pk, year), saves in targets.items():
        indicator = Indicator.objects.get(pk=pk)
        check.versioned(
            f"indikator {indicator.code} {year}",
            [(s["base_version"] + 1, s) for s in saves],
            history=indicator.history.select_related("history_user"),
            current=Target.objects.filter(indicator=indicator, year=year).first(),
            value_of=lambda t, name: getattr(t, name, None),
        )

    for save in by_kind["comment"]:
        if not ReviewComment.objects.filter(
            submission_id=save["submission"], text=save["text"], author__username=save["user"]
        ).exists():
            check.lose(f"kommentaren {save['text']!r} saknas")
    for save in by_kind["move"]:
        if not SubmissionEvent.objects.filter(
            submission_id=save["submission"], action=save["action"], actor__username=save["user"]
        ).exists():
            check.lose(f"{save['user']}s {save['action']} av {save['submission']} saknas")

    result = {
        "saves_checked": sum(check.checked.values()),
        "by_kind": dict(check.checked),
        "lost_updates": len(check.lost),
        "lost": check.lost[:100],
    }
    print(
        f"Kontrollerade sparningar: {result['saves_checked']} "
        f"({', '.join(f'{k} {n}' for k, n in sorted(check.checked.items()))}); "
        f"förlorade uppdateringar: {result['lost_updates']}."
    )
    for line in check.lost[:20]:
        print(f"  FÖRLORAD: {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 1 if check.lost else 0


if __name__ == "__main__":
    sys.exit(main())
