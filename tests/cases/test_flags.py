def test_the_first_contact_flag_runs_from_the_referrals_own_time_as_the_case_header_does():
    """Referred at 20:00: not overdue at 00:30 the next day (the flag once ran from midnight), and
    overdue at 20:30; 24 hours across the clocks going forward are 24 real hours."""
    from datetime import date, datetime, time

    from app.cases.flags import ListedCase, first_contact_overdue
    from app.timeutil import LOCAL

    def listed(day, at, entered):
        return ListedCase(
            id=1, reference="HW-1", young_person_name="Kayla Morgan", preferred_name="", status="referred",
            practice_context="cin", team_id=1, key_worker_id=1, co_worker_id=None, opened_at=entered,
            referral_date=day, first_contact_at=None, next_review_on=None, referral_time=at,
        )  # fmt: skip

    evening = listed(date(2026, 3, 10), time(20, 0), datetime(2026, 3, 10, 21, tzinfo=LOCAL))
    for hour, minute, overdue in ((0, 30, False), (19, 59, False), (20, 1, True)):
        now = datetime(2026, 3, 11, hour, minute, tzinfo=LOCAL)
        assert first_contact_overdue(evening, now=now, target_hours=24) is overdue, (hour, minute)
    spring = listed(date(2026, 3, 28), time(22, 0), datetime(2026, 3, 28, 22, 5, tzinfo=LOCAL))
    # 22:00 GMT on the 28th + 24 hours = 23:00 BST on the 29th.
    assert not first_contact_overdue(spring, now=datetime(2026, 3, 29, 22, 30, tzinfo=LOCAL), target_hours=24)
    assert first_contact_overdue(spring, now=datetime(2026, 3, 29, 23, 1, tzinfo=LOCAL), target_hours=24)
