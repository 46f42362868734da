"""Read paths for pages: a fixed number of queries whatever the amount of data.

Reads never write and never import the write modules (services, cycle); import-linter
holds that in `make lint`. Every name stays importable from goals.selectors.
"""

from .chain import (  # noqa: F401
    CHAIN_ACTIVITIES_PER_GOAL,
    CHAIN_GOALS_PER_PAGE,
    AreaNode,
    ChainTree,
    CommitteeGoals,
    Coverage,
    CoverageGrid,
    GridRow,
    TargetRow,
    chain_coverage,
    chain_tree,
    coverage_grid,
    direction_goal_detail,
    indicator_target_rows,
    start_overview,
)
from .common import (  # noqa: F401
    _indicator_prefetch,
    activities_visible_to,
    committees_visible_to,
    current_plan_year,
    direction_goals_visible_to,
    in_steering_q,
    latest_by_year,
    latest_outcome,
    plan_years,
    plans_visible_to,
    set_outcome_status,
    set_outcome_status_from,
    set_year_target,
    year_end,
    year_targets,
)
from .followup import (  # noqa: F401
    REVIEW_UNITS_SHOWN,
    Gap,
    ReviewCell,
    ReviewRow,
    RollupRow,
    activities_for,
    expected_units,
    followup_context,
    goals_for,
    is_expected,
    missing_for_submit,
    review_overview,
    saved_gaps,
    submit_gaps,
    suggestions_for,
)
from .history import (  # noqa: F401
    _ACTIONS,
    HistoryChange,
    HistoryEntry,
    _display,
    _who,
    history_entries,
    target_history,
)
from .people import (  # noqa: F401
    _members_over,
    editors_for,
    reviewers_for,
)
from .planning import (  # noqa: F401
    AreaGoals,
    CommitteePlan,
    GoalActivities,
    PlanningItem,
    PlanningOverview,
    PlanningTodo,
    UnitPlanRow,
    committee_goals_for_plan,
    committee_plan,
    next_indicator_code,
    next_year_preview,
    plan_page,
    planning_overview,
    planning_todo,
)
from .snapshot import (  # noqa: F401
    ChangeRow,
    Snapshot,
    changes_since_last_submission,
    followup_snapshot,
    version_saved_at,
)
from .start import (  # noqa: F401
    FIRST_SHOWN,
    FollowUpTodo,
    NextStep,
    OccasionGroup,
    followup_todo,
    start_page,
)
