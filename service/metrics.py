"""Prometheus metrics shared across domains (served at /metrics from the default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "claimcheck_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "claimcheck_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EXTRACTION_SECONDS = Histogram(
    "claimcheck_extraction_seconds",
    "Time to extract claims from one article",
    ["extractor"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
LINKING_SECONDS = Histogram(
    "claimcheck_linking_seconds",
    "Time to find evidence for one claim or text",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
EVIDENCE_CACHE = Counter(
    "claimcheck_evidence_cache_total",
    "Claim evidence requests answered from this process's cache (hit) or computed (miss)",
    ["outcome"],
)
