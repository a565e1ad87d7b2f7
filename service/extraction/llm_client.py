"""A small client for any OpenAI-compatible `/chat/completions` endpoint, over plain httpx.

`llm_base_url` is the API root including its version segment, as vendors document it:
`https://api.openai.com/v1`, `http://127.0.0.1:8000/v1` (llama.cpp, vLLM),
`http://127.0.0.1:11434/v1` (Ollama).

What it adds over a bare POST, per endpoint (keyed by base URL, shared by every caller in the process):
- retries with exponential backoff and jitter on timeouts, connection errors, 429 and 5xx,
  waiting what `Retry-After` asks for when the server says;
- a concurrency limit, so a burst of articles does not open a hundred requests to one GPU;
- a circuit breaker that stops calling an endpoint after `llm_circuit_failures` consecutive
  failed requests and lets one trial request through after `llm_circuit_reset_seconds`;
- memory of whether the server accepts `response_format: json_schema`.

The API key goes into the Authorization header and nowhere else: errors carry a reason code
and a status, never request headers or response bodies.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx
from prometheus_client import Counter, Histogram

from service.settings import Settings

logger = logging.getLogger(__name__)

LLM_REQUESTS = Counter(
    "claimcheck_llm_requests_total",
    "HTTP requests sent to the LLM endpoint, by outcome (ok, timeout, connection_error, http_<status>).",
    ["outcome"],
)
LLM_LATENCY = Histogram(
    "claimcheck_llm_latency_seconds",
    "Wall time of one chat-completions request that got a response.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160),
)
LLM_TOKENS = Counter("claimcheck_llm_tokens_total", "Tokens the LLM endpoint reported using.", ["kind"])

# A server asking us to wait longer than this is treated as unavailable rather than waited for.
MAX_RETRY_AFTER_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 30.0


class LLMError(Exception):
    """A chat completion that could not be had. `reason` is a short code safe to log and store."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message or reason)
        self.reason = reason


@dataclass(frozen=True)
class ChatCompletion:
    """The first choice of a chat completion, and what it cost."""

    content: str
    finish_reason: str | None
    refusal: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    attempts: int
    used_json_schema: bool


CircuitState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Consecutive-failure breaker: closed -> open after N failures -> half-open trial after a pause."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state: CircuitState = "closed"
        self.consecutive_failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    def allow(self, *, reset_seconds: float, now: float | None = None) -> bool:
        """Whether a request may be sent now; in half-open state only one trial at a time."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if self.state == "open" and now - self._opened_at >= reset_seconds:
                self.state = "half_open"
                self._trial_in_flight = False
            if self.state == "closed":
                return True
            if self.state == "half_open" and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def refuses(self, *, reset_seconds: float, now: float | None = None) -> bool:
        """Whether `allow` would say no right now, without taking the half-open trial."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if self.state == "open":
                return now - self._opened_at < reset_seconds
            return self.state == "half_open" and self._trial_in_flight

    def record_success(self) -> None:
        """The endpoint answered: close the circuit."""
        with self._lock:
            self.state = "closed"
            self.consecutive_failures = 0
            self._trial_in_flight = False

    def record_failure(self, *, threshold: int, now: float | None = None) -> None:
        """A timeout, connection error or 5xx: open at the threshold, or at once after a failed trial."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self.consecutive_failures += 1
            if self.state == "half_open" or self.consecutive_failures >= max(1, threshold):
                self.state = "open"
                self._opened_at = now
            self._trial_in_flight = False


class Endpoint:
    """What the process knows about one base URL."""

    def __init__(self, concurrency: int) -> None:
        self.limit = threading.BoundedSemaphore(max(1, concurrency))
        self.circuit = CircuitBreaker()
        # None until the server has either accepted or rejected a json_schema response_format.
        self.accepts_json_schema: bool | None = None


_endpoints: dict[str, Endpoint] = {}
_endpoints_lock = threading.Lock()


def get_endpoint(base_url: str, *, concurrency: int) -> Endpoint:
    """The shared state for `base_url`, created on first use with that concurrency limit."""
    key = base_url.rstrip("/")
    with _endpoints_lock:
        endpoint = _endpoints.get(key)
        if endpoint is None:
            endpoint = _endpoints[key] = Endpoint(concurrency)
        return endpoint


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(moment.timestamp()) - time.time())


def backoff_delay(attempt: int, base_seconds: float) -> float:
    """Exponential backoff with equal jitter: half the step is fixed, half random."""
    step = min(MAX_BACKOFF_SECONDS, base_seconds * 2.0**attempt)
    return step / 2 + random.uniform(0, step / 2)


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _SchemaRejected(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"http_{status}")
        self.status = status


class ChatClient:
    """Sends chat completions to `settings.llm_base_url` with retries, limits and a breaker."""

    def __init__(
        self,
        settings: Settings,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`clock` and `sleep` pace the retries, the breaker and the deadline (tests pass a fake clock)."""
        if not settings.llm_base_url:
            raise LLMError("not_configured", "LLM_BASE_URL is not set")
        self.settings = settings
        self.base_url = settings.llm_base_url.rstrip("/")
        self.endpoint = get_endpoint(self.base_url, concurrency=settings.llm_concurrency)
        self._http = http or httpx.Client(timeout=httpx.Timeout(settings.llm_timeout_seconds))
        self._owns_http = http is None
        self._clock = clock
        self._sleep = sleep

    def close(self) -> None:
        """Close the connection pool if this client opened it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def circuit_open(self) -> bool:
        """Whether the breaker would refuse a request right now (without taking the half-open trial)."""
        return self.endpoint.circuit.refuses(
            reset_seconds=self.settings.llm_circuit_reset_seconds, now=self._clock()
        )

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        json_schema: dict[str, Any] | None = None,
        plain_json_note: str = "",
        deadline: float | None = None,
    ) -> ChatCompletion:
        """The model's answer to `messages`; raises LLMError with a reason code when there is none.

        With `json_schema`, asks for structured output; a server that rejects that with 400 is asked
        again once without it (`plain_json_note` appended to the last message) and remembered.
        `deadline` (a value of the client's clock, `time.monotonic()` by default) bounds every attempt,
        wait and retry together; when it is reached the reason is "deadline".
        """
        use_schema = json_schema is not None and self.endpoint.accepts_json_schema is not False
        body: dict[str, Any] = {"model": self.settings.llm_model, "messages": messages, "temperature": 0}
        if use_schema and json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "claims", "strict": True, "schema": json_schema},
            }
            try:
                completion = self._send_with_retries(body, used_json_schema=True, deadline=deadline)
            except _SchemaRejected as rejected:
                logger.info(
                    "LLM endpoint answered http_%d to response_format json_schema; trying plain JSON",
                    rejected.status,
                )
            else:
                self.endpoint.accepts_json_schema = True
                return completion
        if json_schema is not None and plain_json_note:
            last = dict(messages[-1])
            last["content"] = f"{last['content']}\n\n{plain_json_note}"
            body["messages"] = [*messages[:-1], last]
        body.pop("response_format", None)
        completion = self._send_with_retries(body, used_json_schema=False, deadline=deadline)
        if use_schema:
            # Only now is it clear the schema, not the server, was the trouble.
            self.endpoint.accepts_json_schema = False
        return completion

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.settings.llm_api_key is not None:
            headers["Authorization"] = f"Bearer {self.settings.llm_api_key.get_secret_value()}"
        return headers

    def _send_with_retries(
        self, body: dict[str, Any], *, used_json_schema: bool, deadline: float | None
    ) -> ChatCompletion:
        attempts = max(0, self.settings.llm_max_retries) + 1
        reason = "unavailable"
        for attempt in range(attempts):
            timeout = self.settings.llm_timeout_seconds
            if deadline is not None:
                timeout = min(timeout, deadline - self._clock())
                if timeout <= 0:
                    raise LLMError("deadline")
            if not self.endpoint.circuit.allow(
                reset_seconds=self.settings.llm_circuit_reset_seconds, now=self._clock()
            ):
                LLM_REQUESTS.labels(outcome="circuit_open").inc()
                raise LLMError("circuit_open")
            try:
                return self._send_once(
                    body, attempt=attempt + 1, used_json_schema=used_json_schema, timeout=timeout
                )
            except _Retryable as failure:
                reason = failure.reason
                if attempt + 1 == attempts:
                    break
                if failure.retry_after is not None:
                    if failure.retry_after > MAX_RETRY_AFTER_SECONDS:
                        break
                    delay = failure.retry_after
                else:
                    delay = backoff_delay(attempt, self.settings.llm_backoff_seconds)
                if deadline is not None and self._clock() + delay >= deadline:
                    raise LLMError("deadline") from None
                logger.warning(
                    "LLM request failed (%s), retry %d of %d in %.2fs",
                    reason,
                    attempt + 1,
                    attempts - 1,
                    delay,
                )
                self._sleep(delay)
        raise LLMError(reason)

    def _send_once(
        self, body: dict[str, Any], *, attempt: int, used_json_schema: bool, timeout: float
    ) -> ChatCompletion:
        circuit = self.endpoint.circuit
        threshold = self.settings.llm_circuit_failures
        # Waiting for a free slot counts against the same budget as the request itself.
        if not self.endpoint.limit.acquire(timeout=timeout):
            raise LLMError("deadline")
        try:
            started = time.perf_counter()
            try:
                response = self._http.post(
                    f"{self.base_url}/chat/completions",
                    json=body,
                    headers=self._headers(),
                    timeout=httpx.Timeout(timeout),
                )
            except httpx.TimeoutException:
                circuit.record_failure(threshold=threshold, now=self._clock())
                LLM_REQUESTS.labels(outcome="timeout").inc()
                raise _Retryable("timeout") from None
            except httpx.HTTPError:
                circuit.record_failure(threshold=threshold, now=self._clock())
                LLM_REQUESTS.labels(outcome="connection_error").inc()
                raise _Retryable("connection_error") from None
            elapsed = time.perf_counter() - started
        finally:
            self.endpoint.limit.release()

        status = response.status_code
        LLM_REQUESTS.labels(outcome="ok" if status == 200 else f"http_{status}").inc()
        LLM_LATENCY.observe(elapsed)
        if status >= 500:
            circuit.record_failure(threshold=threshold, now=self._clock())
            if used_json_schema and self.endpoint.accepts_json_schema is None:
                # Some servers (llama-cpp-python) answer 500 to a response_format they do not know;
                # on first contact, ask once without it before treating the server as failing.
                raise _SchemaRejected(status)
            raise _Retryable(f"http_{status}", parse_retry_after(response.headers.get("Retry-After")))
        # Any answer below 500 shows the server is up, even one that refuses this request.
        circuit.record_success()
        if status == 429:
            raise _Retryable("http_429", parse_retry_after(response.headers.get("Retry-After")))
        if status in (400, 422) and used_json_schema:
            raise _SchemaRejected(status)
        if status != 200:
            raise LLMError(f"http_{status}")
        return _parse_completion(
            response, elapsed=elapsed, attempt=attempt, used_json_schema=used_json_schema
        )


def _parse_completion(
    response: httpx.Response, *, elapsed: float, attempt: int, used_json_schema: bool
) -> ChatCompletion:
    try:
        payload = response.json()
        choice = payload["choices"][0]
        message = choice["message"]
        content = message.get("content") or ""
        usage = payload.get("usage") or {}
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise LLMError("invalid_response", "the endpoint's answer is not a chat completion") from None
    if not isinstance(content, str):
        raise LLMError("invalid_response", "the completion's content is not text")
    LLM_TOKENS.labels(kind="prompt").inc(prompt_tokens)
    LLM_TOKENS.labels(kind="completion").inc(completion_tokens)
    refusal = message.get("refusal")
    return ChatCompletion(
        content=content,
        finish_reason=choice.get("finish_reason"),
        refusal=refusal if isinstance(refusal, str) and refusal else None,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        latency_ms=round(elapsed * 1000, 1),
        attempts=attempt,
        used_json_schema=used_json_schema,
    )
