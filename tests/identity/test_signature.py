"""The claim signature and `compare`: true repeats agree, near misses name what differs."""

from __future__ import annotations

import datetime as dt

import pytest

from service.identity import (
    ClaimSignature,
    DifferenceKind,
    claim_signature,
    compare,
    expand_aliases,
    normalise_alias,
    same_claim,
)

BASE = "Rail fares in Scotland rose 5.1% in March 2023."

NEAR_MISSES = [
    ("Rail fares in Scotland rose 25.1% in March 2023.", DifferenceKind.NUMBER, "5.1%", "25.1%"),
    ("Rail fares in Scotland fell 5.1% in March 2023.", DifferenceKind.DIRECTION, "up", "down"),
    ("Rail fares in Wales rose 5.1% in March 2023.", DifferenceKind.ENTITY, "Scotland", "Wales"),
    (
        "Rail fares in Scotland did not rise 5.1% in March 2023.",
        DifferenceKind.POLARITY,
        "affirmed",
        "negated",
    ),
    ("Rail fares in Scotland rose 5.1% in March 2021.", DifferenceKind.DATE, "2023-03", "2021-03"),
]

TRUE_REPEATS = [
    ("RAIL FARES IN SCOTLAND ROSE 5.1% IN MARCH 2023", BASE),
    ("Rail fares in Scotland rose 5.1 per cent in March 2023.", BASE),
    ("Rail fares in Scotland rose 5.1 percent in March 2023!", BASE),
    ("In March 2023, rail fares in Scotland rose 5.1%.", BASE),
    ("Rail fares in Scotland rose 5.1% in March 2023, officials say.", BASE),
    ("According to Transport Scotland, rail fares in Scotland rose 5.1% in March 2023.", BASE),
    ("Germanys debt reached £9.1bn in 2022.", "Germany's debt reached 9.1 billion pounds in 2022."),
    ("Police counted 40,000 protesters in the US.", "Police counted forty thousand protesters in the U.S."),
    (
        "Police counted 40 000 protesters in the United States.",
        "Police counted 40,000 protesters in the USA.",
    ),
    ("Inflation in the UK hit 10%.", "Inflation in Britain hit 10 per cent."),
    ("Czechia's exports grew.", "Czech Republic's exports grew."),
    ("The WHO declared a pandemic.", "The World Health Organization declared a pandemic."),
]


@pytest.mark.parametrize(("other", "kind", "this_value", "other_value"), NEAR_MISSES)
def test_near_misses_name_what_differs(
    other: str, kind: DifferenceKind, this_value: str, other_value: str
) -> None:
    differences = compare(claim_signature(BASE), claim_signature(other))
    assert [(d.kind, d.this, d.other) for d in differences] == [(kind, this_value, other_value)]
    assert not same_claim(claim_signature(BASE), claim_signature(other))


@pytest.mark.parametrize(("one", "other"), TRUE_REPEATS)
def test_true_repeats_agree(one: str, other: str) -> None:
    a, b = claim_signature(one), claim_signature(other)
    assert compare(a, b) == []
    assert a.key == b.key
    assert same_claim(a, b)


def test_scales_and_currencies_are_normalised() -> None:
    assert claim_signature("4.2 million people").quantities == ("4.2 million",)
    assert compare(claim_signature("4.2 million people"), claim_signature("4.2 billion people"))[0].other == (
        "4.2 billion"
    )
    assert claim_signature("£9.1bn").quantities == claim_signature("9.1 billion pounds").quantities
    assert claim_signature("$5m").quantities == ("USD 5 million",)
    assert claim_signature("costs rose 3 percentage points").quantities == ("3 pp",)


def test_fractions_and_multipliers() -> None:
    assert claim_signature("Half of adults save").quantities == ("50%",)
    assert claim_signature("A third of adults save").quantities == ("33.3%",)
    assert claim_signature("two thirds of adults save").quantities == ("66.7%",)
    assert claim_signature("Prices doubled").quantities == ("x2",)
    assert claim_signature("Prices halved").quantities == ("x0.5",)
    assert claim_signature("three times as many").quantities == ("x3",)
    doubled, halved = claim_signature("Prices doubled"), claim_signature("Prices halved")
    assert {d.kind for d in compare(doubled, halved)} == {DifferenceKind.NUMBER, DifferenceKind.DIRECTION}


def test_dates_and_periods() -> None:
    assert claim_signature("on 14 March 2020").dates == ("2020-03-14",)
    assert claim_signature("on March 14th, 2020").dates == ("2020-03-14",)
    assert claim_signature("in Q1 2023").dates == ("2023-Q1",)
    assert claim_signature("in the first quarter of 2023").dates == ("2023-Q1",)
    assert claim_signature("in the 1990s").dates == ("1990s",)
    assert claim_signature("Theresa May said so").dates == ()


def test_relative_dates_resolve_against_the_reference_date() -> None:
    reference = dt.date(2024, 5, 1)
    assert claim_signature("Prices rose last year", reference_date=reference).dates == ("2023",)
    assert claim_signature("Prices rose last month", reference_date=reference).dates == ("2024-04",)
    resolved = claim_signature("Prices rose last year", reference_date=reference)
    assert compare(resolved, claim_signature("Prices rose in 2023")) == []
    # Without a date, 'last year' equals only itself.
    assert claim_signature("Prices rose last year").dates == claim_signature("prices rose last year").dates


def test_argument_order_matters_in_comparisons() -> None:
    a = claim_signature("Inflation in Britain is higher than in Czechia")
    b = claim_signature("Inflation in the Czech Republic is higher than in the UK")
    assert [d.kind for d in compare(a, b)] == [DifferenceKind.ORDER]
    assert compare(a, claim_signature("Inflation in the UK is higher than in the Czech Republic")) == []


def test_stance_and_action_directions() -> None:
    signed, vetoed = (
        claim_signature("The governor signed the bill"),
        claim_signature("The governor vetoed the bill"),
    )
    assert [d.kind for d in compare(signed, vetoed)] == [DifferenceKind.DIRECTION]
    voted_for = claim_signature("She voted for the war")
    voted_against = claim_signature("She voted against the war")
    assert [d.kind for d in compare(voted_for, voted_against)] == [DifferenceKind.DIRECTION]
    more, fewer = (
        claim_signature("more than 5,000 people came"),
        claim_signature("fewer than 5,000 people came"),
    )
    assert [d.kind for d in compare(more, fewer)] == [DifferenceKind.DIRECTION]


def test_numbers_given_to_different_things_differ() -> None:
    a = claim_signature("Region 3 recorded 5.5% turnout, ballot series 7.")
    b = claim_signature("Region 7 recorded 5.5% turnout, ballot series 3.")
    assert [(d.kind, d.this, d.other) for d in compare(a, b)] == [
        (DifferenceKind.NUMBER, "region 3", "region 7")
    ]


def test_other_names_differ_only_when_each_claim_has_its_own() -> None:
    acme, zenith = claim_signature("Profits at Acme rose"), claim_signature("Profits at Zenith rose")
    assert [d.kind for d in compare(acme, zenith)] == [DifferenceKind.ENTITY]
    assert compare(claim_signature("Acme's profits rose"), claim_signature("Profits at Acme rose")) == []
    assert compare(claim_signature("profits at acme rose"), claim_signature("Profits at Acme rose")) == []


def test_short_aliases_count_only_in_capitals() -> None:
    assert claim_signature("The US grew").entities == ("country:US",)
    assert claim_signature("They told us it grew").entities == ()
    assert claim_signature("Who knows what WHO said").entities == ("org:WHO",)


def test_unparsable_numbers_stay_text() -> None:
    signature = claim_signature("Version 1.2.3 of the law")
    assert signature.quantities == ("1.2.3",)
    assert compare(signature, claim_signature("Version 1.2.4 of the law"))[0].kind == DifferenceKind.NUMBER


@pytest.mark.parametrize(
    "text", ["", "   ", "%%%", "£", "1,2,3,4.5.6", "x" * 5000, "🙂 9,99 €", "\x00\u200b"]
)
def test_odd_input_never_raises(text: str) -> None:
    signature = claim_signature(text)
    assert ClaimSignature.from_json(signature.to_json()) == signature


def test_no_signature_means_no_key() -> None:
    signature = claim_signature("The minister is a liar")
    assert signature.is_empty and signature.key == ""


def test_json_round_trip_keeps_every_field() -> None:
    signature = claim_signature("Inflation in Britain was higher than in France in 2022, at 10.1%, not 9%.")
    assert ClaimSignature.from_json(signature.to_json()) == signature


def test_alias_helpers_for_search() -> None:
    assert normalise_alias("UK and U.S. inflation") == "united kingdom and united states inflation"
    assert "great britain" in expand_aliases("UK wages")
    assert "world health organization" in expand_aliases("WHO says")


def test_surface_shows_what_the_claim_wrote() -> None:
    a, b = claim_signature("Debt hit £9.1bn"), claim_signature("Debt hit £8.1bn")
    assert [(d.this, d.other) for d in compare(a, b)] == [("£9.1bn", "£8.1bn")]


def test_a_newsroom_label_is_not_part_of_the_claim() -> None:
    labelled = claim_signature("BREAKING: Cuban leader Fidel Castro said the US embargo cost $1.1 trillion.")
    plain = claim_signature("Cuban leader Fidel Castro said the US embargo cost $1.1 trillion.")
    assert compare(labelled, plain) == [] and labelled.core == plain.core


def test_a_noun_that_looks_like_a_speech_verb_keeps_the_claim_whole() -> None:
    assert claim_signature("Four claims document the abuse").quantities == ("4",)


def test_prepositions_give_a_direction_only_before_an_amount() -> None:
    over_the_year = claim_signature("Rail fares rose 5.1% over the year")
    during_the_year = claim_signature("Rail fares rose 5.1% during the year")
    assert compare(over_the_year, during_the_year) == []
    over, under = claim_signature("over 5,000 people came"), claim_signature("under 5,000 people came")
    assert [d.kind for d in compare(over, under)] == [DifferenceKind.DIRECTION]
    assert claim_signature("Fares were up £5").directions == ("up",)
