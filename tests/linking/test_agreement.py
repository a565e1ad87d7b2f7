"""Agreement hints: the claim's numbers, dates and items against a passage's (pure functions)."""

from __future__ import annotations

import pytest

from service.linking.agreement import Agreement, Hint, TextFacts, compare


def _agreement(claim: str, passage: str, items: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return compare(TextFacts.of(claim), [(item, TextFacts.of(item)) for item in items], TextFacts.of(passage))


def test_a_different_percentage_and_year_make_the_passage_conflicting() -> None:
    found = _agreement("Coverage fell to 91% in 2017.", "Coverage was 89 per cent in 2016.")
    assert [(v.claim, v.passage, v.agreement) for v in found.numbers] == [("91%", "89%", Agreement.different)]
    assert [(v.claim, v.passage, v.agreement) for v in found.dates] == [("2017", "2016", Agreement.different)]
    assert found.hint is Hint.conflicting


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        (
            "The chancellor announced £9.1bn for the NHS.",
            "An additional 9.1 billion pounds for the health service.",
        ),
        ("Debt is about 98% of GDP.", "Debt was around 98.3 per cent of gross domestic product."),
        ("Cases rose to 58,000.", "The region recorded 58 114 infections."),
        ("Waiting lists stand at 7.5 million.", "The list was 7.54 million at the end of February."),
        ("Emissions fell by 8%.", "Emissions dropped by eight per cent."),
        ("Finland joined in April 2023.", "Finland became a member on 4 April 2023."),
    ],
)
def test_the_same_value_written_differently_is_consistent(claim: str, passage: str) -> None:
    found = _agreement(claim, passage)
    assert found.hint is Hint.consistent, (found.numbers, found.dates)


def test_a_passage_without_the_claims_values_is_unclear_and_items_are_matched_by_alias() -> None:
    found = _agreement("Inflation fell to 3.2%.", "Prices rose more slowly than a year earlier.")
    assert [v.agreement for v in found.numbers] == [Agreement.absent]
    assert found.hint is Hint.unclear
    listed = _agreement(
        "Gas still reaches Slovakia, Britain and Austria.",
        "Deliveries continue to reach Austria and the United Kingdom.",
        items=("Slovakia", "Britain", "Austria"),
    )
    assert [(v.claim, v.agreement) for v in listed.items] == [
        ("Slovakia", Agreement.absent),
        ("Britain", Agreement.same),
        ("Austria", Agreement.same),
    ]
    assert listed.hint is Hint.consistent


def test_a_bare_count_is_not_contradicted_by_an_unrelated_number() -> None:
    found = _agreement("Zelensky asked for 25 Patriot systems.", "Each battery has 8 launchers.")
    assert [v.agreement for v in found.numbers] == [Agreement.absent]
