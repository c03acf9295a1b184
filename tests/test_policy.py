import pytest

from plan_analytics.errors import PlanAnalyticsError
from plan_analytics.policy import Policy, load_policy


def write(tmp_path, text):
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


def test_defaults_are_the_specs():
    policy = load_policy(None)
    assert (policy.establish_by_session, policy.review_interval_days, policy.review_due_soon_days) == (2, 180, 30)
    assert (policy.active_window_days, policy.stale_draft_days, policy.edit_tolerance_seconds) == (90, 14, 60)
    assert (policy.clone_similarity, policy.chart_review_business_days) == (0.85, 3)
    assert (policy.holiday_calendar, policy.timezone) == ("US", "America/New_York")


def test_a_file_overrides_only_what_it_names(tmp_path):
    policy = load_policy(write(tmp_path, "review_interval_days = 90\nclone_similarity = 1\n"))
    assert policy.review_interval_days == 90
    assert policy.clone_similarity == 1.0
    assert policy.stale_draft_days == 14


@pytest.mark.parametrize(
    "text, message",
    [
        ("review_intervall_days = 90", "unknown key review_intervall_days"),
        ("review_interval_days = 0", "review_interval_days = 0 is outside 1..3660."),
        ("clone_similarity = 1.5", "clone_similarity = 1.5 is outside 0.01..1.0."),
        ("establish_by_session = 'two'", "establish_by_session must be a int."),
        ("timezone = 'Mars/Olympus'", "timezone 'Mars/Olympus' is not a known time zone."),
        ("holiday_calendar = 'XX'", "holiday_calendar 'XX' is not a python-holidays country code."),
        ("review_interval_days = ", "is not valid TOML"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(tmp_path, text, message):
    with pytest.raises(PlanAnalyticsError) as excinfo:
        load_policy(write(tmp_path, text))
    assert message in str(excinfo.value)


def test_digest_changes_with_any_value():
    assert Policy().digest() != Policy(review_interval_days=90).digest()
    assert Policy().digest() == Policy().digest()
