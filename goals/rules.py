"""Pure rules of the follow-up: its state, the suggested assessment, whether a target is reached."""

from dataclasses import dataclass

from .models import Assessment, OrgUnit, Submission

SUGGESTION_RULE = (
    "Förslaget räknas fram ur indikatorerna. En indikator når sitt mål när utfallet är minst "
    "målvärdet för året (högst målvärdet där ett lägre värde är bättre). Når alla indikatorer "
    "som har både målvärde och utfall sitt mål föreslås ”Uppfyllt”; når minst hälften det "
    "föreslås ”Delvis uppfyllt”; når färre än hälften det föreslås ”Ej uppfyllt”. Har ingen "
    "indikator både målvärde och utfall föreslås ”Ej bedömt”. Väljer du en annan bedömning "
    "behöver du motivera den."
)


def indicator_reaches_target(*, value, target, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


@dataclass(frozen=True)
class TargetStatus:
    """Whether one indicator's outcome reaches its target, in the status vocabulary:
    `level` is the css modifier (.assessment--<level>), `symbol` and `label` are shown."""

    key: str
    level: str
    symbol: str
    label: str


TARGET_STATUSES = (
    TargetStatus("reached", Assessment.FULFILLED, "●", "Når målet"),
    TargetStatus("not_reached", Assessment.NOT_FULFILLED, "✕", "Når inte målet"),
    TargetStatus("no_outcome", Assessment.NOT_ASSESSED, "–", "Utfall saknas"),
    TargetStatus("no_target", Assessment.NOT_ASSESSED, "–", "Målvärde saknas"),
)


def target_status(*, value, target, higher_is_better: bool) -> str:
    """The key of the TargetStatus of one indicator; the suggestion counts the first two."""
    if value is None:
        return "no_outcome"
    if target is None:
        return "no_target"
    reached = indicator_reaches_target(
        value=value, target=target, higher_is_better=higher_is_better
    )
    return "reached" if reached else "not_reached"


STATUS_BY_KEY = {s.key: s for s in TARGET_STATUSES}


def outcome_status(*, value, target, higher_is_better: bool) -> TargetStatus:
    """The TargetStatus (symbol, word, colour) of an outcome against its target, as decided by
    target_status: what every page shows beside a target."""
    return STATUS_BY_KEY[
        target_status(value=value, target=target, higher_is_better=higher_is_better)
    ]


def suggest_assessment(pairs) -> str:
    """pairs: (value, target, higher_is_better) per indicator; None where missing."""
    judged = [
        indicator_reaches_target(value=v, target=t, higher_is_better=h)
        for v, t, h in pairs
        if v is not None and t is not None
    ]
    if not judged:
        return Assessment.NOT_ASSESSED
    met = sum(judged)
    if met == len(judged):
        return Assessment.FULFILLED
    if met * 2 >= len(judged):
        return Assessment.PARTLY
    return Assessment.NOT_FULFILLED


DONE_STATES = (Submission.State.SUBMITTED, Submission.State.APPROVED, Submission.State.PUBLISHED)


@dataclass(frozen=True)
class FollowUpState:
    """What one unit's follow-up at one occasion stands at, in the words every page uses."""

    key: str  # a Submission.State, or "none": the css modifier of |state_badge
    label: str
    overdue: bool = False

    @property
    def done(self) -> bool:
        """Handed in: nothing more to do for the unit until a reviewer returns it."""
        return self.key in DONE_STATES

    @property
    def returned(self) -> bool:
        return self.key == Submission.State.RETURNED


NOT_STARTED = "Ej påbörjad"


def followup_state(*, occasion, unit: OrgUnit, submission, today=None) -> FollowUpState:
    """The one truth for a follow-up's (and, at the Verksamhetsplan occasion, a plan's) state.

    A unit below a committee reports at an occasion only because it has a plan that year
    (selectors.expected_units), and at the Verksamhetsplan occasion that plan is what it hands
    in: before anything is handed in, the plan is a draft, never "not started". A committee's
    own follow-up, and every follow-up at a later occasion, is not started until it is saved.
    Overdue: the last day (the deadline and any days of grace) has passed (`today` given) and
    it is not handed in.
    """
    if submission is not None:
        key, label = submission.state, Submission.State(submission.state).label
    elif not occasion.is_follow_up and unit.kind not in (
        OrgUnit.Kind.COMMITTEE,
        OrgUnit.Kind.MUNICIPALITY,
    ):
        key, label = Submission.State.DRAFT, Submission.State.DRAFT.label
    else:
        key, label = "none", NOT_STARTED
    overdue = today is not None and occasion.is_overdue(today) and key not in DONE_STATES
    return FollowUpState(key=str(key), label=str(label), overdue=overdue)
