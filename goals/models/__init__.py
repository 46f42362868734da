"""The models of the goals app, by what they hold; every name stays importable from here."""

from .audit import (  # noqa: F401
    AuditEntry,
)
from .base import (  # noqa: F401
    ASSESSMENT_SYMBOLS,
    TEXT_MAX,
    YEAR_VALIDATORS,
    Assessment,
    PublishedError,
    kolada_kpi_validator,
    text_limit,
)
from .chain import (  # noqa: F401
    DirectionGoal,
    Indicator,
    OverarchingGoal,
    ReferenceValue,
    StrategicArea,
    Strategy,
    Target,
    Vision,
)
from .followup import (  # noqa: F401
    ECONOMY_FIELDS,
    TEXT_FIELDS,
    ActivityFollowUp,
    GoalAssessment,
    LockedWithSubmission,
    Measurement,
    Notice,
    Priority,
    PublishedFollowUp,
    ReviewComment,
    Submission,
    SubmissionEvent,
)
from .organisation import (  # noqa: F401
    Membership,
    OrgUnit,
)
from .planning import (  # noqa: F401
    Activity,
    OperationalPlan,
    PlanYear,
    ReportingOccasion,
)
