"""Temporary: the old module name while service/ui/pages.py still imports it (removed once issue 19's split lands)."""

from service.linking.evidence import evidence_for_claim, set_relation
from service.linking.sources import upsert_source, upsert_sources

__all__ = ["evidence_for_claim", "set_relation", "upsert_source", "upsert_sources"]
