"""The one settings object, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A bootstrap admin key is as good as a password to everything: short ones are guessable.
MIN_ADMIN_KEY_CHARS = 32
DEFAULT_RATING_SCALE = "true,mostly_true,mixed,mostly_false,false"
DEFAULT_EXTRA_VERDICTS = "misleading,unverifiable"


class Settings(BaseSettings):
    """Every setting claimcheck reads. Environment variable names are the upper-case field names."""

    # hide_input_in_errors: a refused setting may be a secret (CLAIMCHECK_ADMIN_KEY); never echo it.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    database_url: str = "sqlite:///./claimcheck.db"
    database_pool_size: int = 10
    migrate_on_start: bool = True
    claimcheck_admin_key: SecretStr | None = None  # at least MIN_ADMIN_KEY_CHARS (checked below)

    max_body_bytes: int = 5 * 1024 * 1024
    max_import_bytes: int = 512 * 1024 * 1024
    max_article_chars: int = 1_000_000
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 120
    auth_failures_per_minute: int = Field(
        default=10,
        description="Wrong keys allowed per client address a minute (bursts of as many); past that the "
        "address gets 429 for any key until a failure is forgotten. 0 turns the throttle off.",
    )
    sqlite_busy_timeout_ms: int = 5_000

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = 60.0
    llm_max_retries: int = 3
    llm_concurrency: int = 4
    llm_chunk_sentences: int = 40
    llm_circuit_failures: int = 5
    llm_circuit_reset_seconds: float = 30.0
    llm_backoff_seconds: float = 0.5  # first retry delay; doubles per attempt, with jitter
    llm_deadline_seconds: float = 30.0  # one budget per article for every request, retry and chunk

    rating_scale: str = Field(
        default=DEFAULT_RATING_SCALE,
        description="Ordinal verdicts, best first, comma-separated; best gets the highest ratingValue.",
    )
    extra_verdicts: str = Field(
        default=DEFAULT_EXTRA_VERDICTS,
        description="Verdicts outside the ordinal scale, comma-separated.",
    )
    publish_requires_admin: bool = False
    organization_name: str = "claimcheck"
    organization_url: str = "https://example.org"
    # Publishing with the example.org placeholder as the ClaimReview author is refused unless this is set.
    allow_placeholder_organization: bool = False
    public_base_url: str = "http://127.0.0.1:8000"

    webhook_max_attempts: int = 6
    webhook_backoff_seconds: float = 2.0
    webhook_timeout_seconds: float = 10.0
    webhook_poll_seconds: float = 1.0
    webhook_delivery_in_process: bool = True
    webhook_allow_private: bool = Field(
        default=False,
        description="Let webhooks reach loopback/private/link-local addresses (receivers on your own "
        "network, or tests); off, a webhook cannot be aimed at the service's own network.",
    )

    match_threshold: float = 75.0
    duplicate_threshold: float = 92.0
    semantic: Literal["auto", "off", "on"] = "auto"
    run_worker_in_process: bool = True
    worker_poll_seconds: float = 1.0

    ui_session_hours: int = 12
    ui_allow_plain_http: bool = Field(
        default=True,
        description="Let the desk sign in over plain http (local use: cookies without the __Host- prefix, "
        "which another port of the host could plant). False: https only (behind TLS or a TLS proxy).",
    )
    protect_docs_and_metrics: bool = Field(
        default=False,
        description="Ask a read key for /metrics, /openapi.json and /docs. Off by default: the OpenAPI "
        "document describes the public API and holds no data, and metrics are counters by route "
        "template, which Prometheus scrapes without a key; turn on where those must not be public.",
    )

    @field_validator("claimcheck_admin_key")
    @classmethod
    def admin_key_is_long(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < MIN_ADMIN_KEY_CHARS:
            raise ValueError(
                f"CLAIMCHECK_ADMIN_KEY must be at least {MIN_ADMIN_KEY_CHARS} characters (this one has "
                f"{len(key.get_secret_value())}); make one with "
                "python -c 'import secrets; print(\"cc_\" + secrets.token_urlsafe(32))'"
            )
        return key

    @property
    def ordinal_verdicts(self) -> tuple[str, ...]:
        """RATING_SCALE, best first, each verdict once (the one place the setting is parsed)."""
        return tuple(dict.fromkeys(_split(self.rating_scale)))

    @property
    def extra_verdict_names(self) -> tuple[str, ...]:
        """EXTRA_VERDICTS, each once, leaving out any already on the ordinal scale."""
        ordinal = self.ordinal_verdicts
        return tuple(
            verdict for verdict in dict.fromkeys(_split(self.extra_verdicts)) if verdict not in ordinal
        )

    @property
    def verdicts(self) -> list[str]:
        """Every verdict a reviewer may give: the ordinal scale, then the extra verdicts."""
        return [*self.ordinal_verdicts, *self.extra_verdict_names]


def _split(csv: str) -> list[str]:
    return [part.strip() for part in csv.split(",") if part.strip()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
