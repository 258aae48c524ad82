"""Shares written in words are figures (fictional sentences)."""

from __future__ import annotations

from bot.attribution.quantities import compatible, matching_quantities, parse_quantities


def _share(text: str) -> float:
    (quantity,) = parse_quantities(text)
    assert quantity.unit == "percent"
    return round(quantity.value, 1)


def test_a_share_in_words_is_a_percentage() -> None:
    assert _share("the council had cut the library budget by a third") == 33.3
    assert _share("two-thirds of the members voted") == 66.7
    assert _share("half of the homes were empty") == 50.0
    assert _share("fares were cut by half") == 50.0
    assert _share("about a quarter of the stand") == 25.0


def test_an_ordinal_is_no_share() -> None:
    assert parse_quantities("a third inspector arrived on the fifth day") == ()
    assert parse_quantities("at half-time in the quarter-final") == ()


def test_shares_compare_with_each_other_and_with_percentages() -> None:
    third, fifth = parse_quantities("by a third")[0], parse_quantities("by a fifth")[0]
    assert not compatible(third, fifth)
    assert compatible(third, parse_quantities("33 per cent")[0])
    assert compatible(fifth, parse_quantities("20 per cent")[0])


def test_both_ends_of_a_change_count_the_same_thing() -> None:
    two, one = parse_quantities("the shift was reduced from two signallers to one")
    assert (two.counted, one.counted) == ("signallers", "signallers")
    low, high = parse_quantities("the toll rose from 12 to 15 deaths")
    assert low.counted == high.counted == "deaths" and low.event == "dead"
    assert parse_quantities("2 signallers and 3 visitors")[1].counted == "visitors"  # no change: no inheritance


def test_every_number_word_up_to_ninety_nine_is_a_figure() -> None:
    assert [q.value for q in parse_quantities("fourteen months, twenty-five flats and some sixty homes")] == [
        14.0, 25.0, 60.0,
    ]


def test_a_count_of_fans_or_residents_is_a_count_of_people() -> None:
    source = parse_quantities("about 14,000 people were in the stand, which is licensed for 12,000")
    fans = parse_quantities("roughly 14,000 fans were packed into the stand")[0]
    assert [q.text for q in matching_quantities(fans, source)] == ["about 14,000"]
    tanks = parse_quantities("14,000 tanks")[0]
    assert [q.text for q in matching_quantities(tanks, source)] == ["12,000"]  # no people: the unnamed figure
