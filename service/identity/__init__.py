"""Claim identity: the signature of a claim (its quantities, dates, entities, polarity, direction and
argument order, normalised) and what differs between two claims. Pure functions: no database, no HTTP.

    from service.identity import claim_signature, compare
    compare(claim_signature("Fares rose 5.1%"), claim_signature("Fares rose 25.1%"))
    # [Difference(kind='number', this='5.1%', other='25.1%')]
"""

from service.identity.aliases import expand_aliases, find_entities, normalise_alias
from service.identity.compare import Difference, DifferenceKind, compare, same_claim
from service.identity.entities import entity_aliases, entity_name
from service.identity.numbers import Quantity, format_amount, parse_digits
from service.identity.signature import ClaimSignature, claim_signature, signature_key, strip_attribution

__all__ = [
    "ClaimSignature",
    "Difference",
    "DifferenceKind",
    "Quantity",
    "claim_signature",
    "compare",
    "entity_aliases",
    "entity_name",
    "expand_aliases",
    "find_entities",
    "format_amount",
    "normalise_alias",
    "parse_digits",
    "same_claim",
    "signature_key",
    "strip_attribution",
]
