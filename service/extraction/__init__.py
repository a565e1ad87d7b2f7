"""Claim extraction: article text in, atomic checkable claims with exact quotes out."""

from service.extraction.pipeline import extract

__all__ = ["extract"]
