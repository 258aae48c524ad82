"""Dates read into comparable parts, times of day, and days of the month that are not counts. FICTIONAL text."""

from __future__ import annotations

from bot.attribution.dates import Date, find_dates, find_times, read_date
from bot.attribution.quantities import parse_quantities


def test_dates_are_read_in_the_forms_news_writes_them() -> None:
    assert read_date("October 15") == read_date("15 October") == read_date("Oct. 15") == Date(month=10, day=15)
    assert read_date("15 October 2024") == Date(year=2024, month=10, day=15)
    assert read_date("October 2023") == Date(year=2023, month=10)  # not the 20th
    assert read_date("the 21st") == Date(day=21)
    assert read_date("Monday") == Date(weekday=0)
    assert read_date("2022") == Date(year=2022)


def test_may_and_march_are_months_only_when_capitalised() -> None:
    assert [text for text, _ in find_dates("The union may march on the depot in May")] == ["May"]


def test_dates_agree_on_the_parts_both_give_and_differ_on_one_they_both_give() -> None:
    october_21 = Date(month=10, day=21)
    assert october_21.agrees(Date(month=10)) and october_21.agrees(Date(day=21))
    assert october_21.differs(Date(month=10, day=15)) and october_21.differs(Date(day=15))
    monday = Date(weekday=0)
    assert not october_21.agrees(monday) and not october_21.differs(monday)  # no part in common


def test_a_day_of_the_month_or_a_clock_time_is_no_count() -> None:
    assert parse_quantities("We were told on the 21st") == ()
    assert parse_quantities("the 22:47 service from Stelling") == ()
    assert parse_quantities("on October 15 a train with 200 people")[0].value == 200
    # "11,400 members had stopped work by 6 a.m." counts members, not six of anything.
    assert [q.value for q in parse_quantities("11,400 members had stopped work by 6 a.m. and 9 pm")] == [11400]
    assert parse_quantities("by 7 o'clock") == ()
    assert [q.value for q in parse_quantities("it gave way at about 3.15")] == [3.15]  # a time, or a figure


def test_times_of_day_are_read_as_minutes_and_differ_only_beyond_the_tolerance() -> None:
    def times(text: str) -> list[tuple[str, int]]:
        return [(written, t.minutes) for written, t in find_times(text)]

    assert times("The siren sounded at 9:40 p.m., an hour after the 8.40 p.m. warning") == [
        ("9:40 p.m.", 1300), ("8.40 p.m.", 1240)]
    assert times("Crews left at 21:40 and at 6 am; the rest stayed until noon") == [
        ("21:40", 1300), ("6 am", 360), ("noon", 720)]
    assert times("a 2.50 rise, the 10.30 train, a 3:1 vote") == []
    (_, evening), (_, later), (_, bare) = find_times("at 9:40 p.m., at 9:50 p.m., at 9:40")
    assert not evening.differs(later) and not evening.differs(bare)  # ten minutes; "9:40" on the 12-hour clock
    (_, night), = find_times("at 11:15 p.m.")
    assert evening.differs(night)
    (_, after), (_, by_three), (_, by_five) = find_times("not until after midnight; by 3 p.m. or by 5 p.m.")
    assert after.bound == "after" and not after.differs(find_times("at 12:20 a.m.")[0][1])  # a bound is no point
    assert by_three.differs(by_five) and not after.differs(by_three)  # "after midnight", "by 3 p.m.": no telling
    (_, two), (_, five), (_, quarter_past) = find_times("at 2 p.m., at 5 p.m., at about 3.15")
    assert not by_three.differs(two) and by_three.differs(five)  # a point inside or outside the bound
    assert quarter_past.differs(find_times("after 7 p.m.")[0][1])  # 3.15 in the morning or afternoon: not after 7


def test_the_day_of_a_month_is_one_date() -> None:
    assert find_dates("on the 22nd of July") == [("the 22nd of July", Date(month=7, day=22))]
