"""The base of API response models: read from a table row's attributes, datetimes always in UTC.

ClaimEventOut.of(event)                     # every field from the attribute of the same name
ClaimOut.of(claim, tags=tags, matches=[])   # with values the row does not hold
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict

from service.db import as_utc

# A response datetime: timezone-aware UTC, whatever the database handed back (SQLite: naive; PostgreSQL:
# aware, in the session's time zone), so JSON always ends in 'Z'.
UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]


class ResponseModel(BaseModel):
    """A response model whose fields are read from an object's attributes of the same names."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, row: object, /, **values: Any) -> Self:
        """The model of `row`'s attributes, `values` taking the place of (or adding to) them."""
        return cls.model_validate(_Overlay(row, values) if values else row)


class _Overlay:
    """`row` with some attributes laid over it; pydantic's from_attributes reads both with getattr."""

    __slots__ = ("_row", "_values")

    def __init__(self, row: object, values: dict[str, Any]) -> None:
        self._row = row
        self._values = values

    def __getattr__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        return getattr(self._row, name)
