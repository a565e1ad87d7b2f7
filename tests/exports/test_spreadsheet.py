"""The one CSV formula guard: what a spreadsheet would run gets an apostrophe, and imports take it off."""

from __future__ import annotations

import pytest

from service.spreadsheet import safe_cell, unguard_cell


@pytest.mark.parametrize("cell", ["=HYPERLINK(1)", "+1", "-1", "@x", "\tx", "\rx", "'=1", "''+2"])
def test_a_cell_a_spreadsheet_would_run_is_guarded_and_comes_back(cell: str) -> None:
    guarded = safe_cell(cell)
    assert guarded == "'" + cell
    assert unguard_cell(guarded) == cell


@pytest.mark.parametrize("cell", ["text: required", "", "'quoted", "1+1", "a=b"])
def test_plain_cells_are_left_alone_both_ways(cell: str) -> None:
    assert safe_cell(cell) == cell
    assert unguard_cell(cell) == cell


def test_none_is_an_empty_cell() -> None:
    assert safe_cell(None) == ""


def test_a_csv_document_guards_every_cell() -> None:
    from service.spreadsheet import csv_document

    document = csv_document(["line", "error"], [[2, "=cmd|' /C calc'!A0"], [3, "text: required"]])
    assert document.splitlines() == ["line,error", "2,'=cmd|' /C calc'!A0", "3,text: required"]
