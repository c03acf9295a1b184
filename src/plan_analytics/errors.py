"""The one exception type users see: its message is a single plain sentence."""


class PlanAnalyticsError(Exception):
    """A problem the user can act on. The message never holds row contents (PHI)."""

    exit_code = 2


class DatabaseBusyError(PlanAnalyticsError):
    exit_code = 3
