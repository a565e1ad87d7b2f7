"""The chat client against a real loopback server: retries, Retry-After, limits, breaker, schema fallback."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from prometheus_client import REGISTRY

from service.extraction.llm_client import ChatClient, CircuitBreaker, LLMError, parse_retry_after
from tests.fake_openai import API_KEY, FakeOpenAI, Reply, llm_settings

MESSAGES = [{"role": "user", "content": "hello"}]
SCHEMA = {"type": "object", "properties": {"claims": {"type": "array"}}, "required": ["claims"]}


class FakeClock:
    """A monotonic clock that only moves when the client sleeps or the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fake_clocked(settings: Any, clock: FakeClock) -> ChatClient:
    return ChatClient(settings, clock=clock, sleep=clock.sleep)


def failure_reason(server: FakeOpenAI, **overrides: Any) -> str:
    """The reason code `complete` fails with against `server`."""
    with ChatClient(llm_settings(server.base_url, **overrides)) as client, pytest.raises(LLMError) as failure:
        client.complete(MESSAGES)
    return failure.value.reason


def test_completion_carries_content_usage_latency_and_the_bearer_key() -> None:
    with (
        FakeOpenAI([Reply.text("hi", prompt_tokens=11, completion_tokens=3)]) as server,
        ChatClient(llm_settings(server.base_url)) as client,
    ):
        completion = client.complete(MESSAGES)
    assert completion.content == "hi"
    assert (completion.prompt_tokens, completion.completion_tokens) == (11, 3)
    assert completion.latency_ms > 0
    assert server.requests[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert server.requests[0].body["model"] == "fake-model"


def test_429_with_retry_after_is_waited_out_then_retried() -> None:
    clock = FakeClock()
    with (
        FakeOpenAI([Reply.error(429, retry_after="1"), Reply.text("ok")]) as server,
        fake_clocked(llm_settings(server.base_url), clock) as client,
    ):
        completion = client.complete(MESSAGES)
    assert completion.content == "ok" and completion.attempts == 2
    assert len(server.requests) == 2
    assert clock.sleeps == [1.0]  # exactly what Retry-After asked for, not the backoff


def test_5xx_is_retried_with_backoff_until_success() -> None:
    with (
        FakeOpenAI([Reply.error(500), Reply.error(503), Reply.text("ok")]) as server,
        ChatClient(llm_settings(server.base_url)) as client,
    ):
        assert client.complete(MESSAGES).attempts == 3


def test_5xx_past_the_retry_budget_fails_with_its_status() -> None:
    with FakeOpenAI([Reply.error(503)]) as server:
        assert failure_reason(server, llm_circuit_failures=10) == "http_503"
    assert len(server.requests) == 3  # one try and llm_max_retries=2 retries


def test_other_4xx_is_not_retried() -> None:
    with FakeOpenAI([Reply.error(401)]) as server:
        assert failure_reason(server) == "http_401"
    assert len(server.requests) == 1


def test_a_hang_past_the_timeout_is_a_timeout() -> None:
    with FakeOpenAI([Reply.hang(5)]) as server:
        settings = llm_settings(server.base_url, llm_timeout_seconds=0.2, llm_max_retries=1)
        with ChatClient(settings) as client, pytest.raises(LLMError) as failure:
            client.complete(MESSAGES)
    assert failure.value.reason == "timeout"  # the hang answers after 5 s: waiting it out would succeed
    assert len(server.requests) == 2


def test_unreachable_server_is_a_connection_error() -> None:
    with FakeOpenAI([Reply.text("never")]) as server:
        base_url = server.base_url
    with ChatClient(llm_settings(base_url, llm_max_retries=1)) as client, pytest.raises(LLMError) as failure:
        client.complete(MESSAGES)
    assert failure.value.reason == "connection_error"


def test_circuit_opens_after_consecutive_failures_and_half_opens_after_the_reset() -> None:
    clock = FakeClock()
    with FakeOpenAI([Reply.error(500), Reply.error(500), Reply.error(500), Reply.text("back")]) as server:
        settings = llm_settings(
            server.base_url, llm_max_retries=5, llm_circuit_failures=3, llm_circuit_reset_seconds=30
        )
        with fake_clocked(settings, clock) as client:
            with pytest.raises(LLMError) as failure:
                client.complete(MESSAGES)
            assert failure.value.reason == "circuit_open"
            assert len(server.requests) == 3  # stopped retrying once the circuit opened
            assert client.circuit_open()

            with pytest.raises(LLMError) as refused:
                client.complete(MESSAGES)
            assert refused.value.reason == "circuit_open"
            assert len(server.requests) == 3  # no request while open

            clock.now += 29.0
            assert client.circuit_open()  # not yet: the reset is 30 s after the circuit opened
            clock.now += 1.0
            assert not client.circuit_open()
            assert client.complete(MESSAGES).content == "back"  # the half-open trial goes through
            assert len(server.requests) == 4
            assert not client.circuit_open()  # and its success closed the circuit


def test_a_failed_trial_after_the_reset_opens_the_circuit_again() -> None:
    clock = FakeClock()
    with FakeOpenAI([Reply.error(500), Reply.error(500), Reply.error(500), Reply.text("back")]) as server:
        settings = llm_settings(
            server.base_url, llm_max_retries=0, llm_circuit_failures=2, llm_circuit_reset_seconds=10
        )
        with fake_clocked(settings, clock) as client:
            for _ in range(2):
                with pytest.raises(LLMError):
                    client.complete(MESSAGES)
            assert client.circuit_open()
            clock.now += 10.0
            with pytest.raises(LLMError) as trial:
                client.complete(MESSAGES)  # the one trial, answered 500 again
            assert trial.value.reason == "http_500"
            assert client.circuit_open()  # open again at once, without counting to the threshold
            assert len(server.requests) == 3
            clock.now += 10.0
            assert client.complete(MESSAGES).content == "back"


def test_failed_half_open_trial_reopens_the_circuit() -> None:
    breaker = CircuitBreaker()
    for _ in range(2):
        breaker.record_failure(threshold=2, now=0.0)
    assert not breaker.allow(reset_seconds=10, now=5.0)
    assert breaker.allow(reset_seconds=10, now=10.0)  # the one trial
    assert not breaker.allow(reset_seconds=10, now=10.0)  # nobody else meanwhile
    breaker.record_failure(threshold=2, now=10.0)
    assert breaker.state == "open"
    assert not breaker.allow(reset_seconds=10, now=15.0)


def test_concurrency_is_limited_per_endpoint_across_clients() -> None:
    with FakeOpenAI([Reply.text("ok", delay=0.15)]) as server:
        settings = llm_settings(server.base_url, llm_concurrency=2)

        def call(_: int) -> str:
            with ChatClient(settings) as client:
                return client.complete(MESSAGES).content

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert list(pool.map(call, range(6))) == ["ok"] * 6
    assert server.max_in_flight == 2


@pytest.mark.parametrize("status", [400, 422, 500])  # llama-cpp-python's server answers 500
def test_server_rejecting_json_schema_is_asked_with_plain_instructions_and_remembered(status: int) -> None:
    with (
        FakeOpenAI(
            [Reply.text('{"claims": []}')], reject_json_schema=True, schema_rejection_status=status
        ) as server,
        ChatClient(llm_settings(server.base_url)) as client,
    ):
        first = client.complete(MESSAGES, json_schema=SCHEMA, plain_json_note="Answer in JSON.")
        second = client.complete(MESSAGES, json_schema=SCHEMA, plain_json_note="Answer in JSON.")
    assert not first.used_json_schema and not second.used_json_schema
    sent_schema = ["response_format" in request.body for request in server.requests]
    assert sent_schema == [True, False, False]  # rejected once, then never offered again
    assert server.requests[1].body["messages"][-1]["content"].endswith("Answer in JSON.")


def test_server_accepting_json_schema_gets_it() -> None:
    with (
        FakeOpenAI([Reply.text('{"claims": []}')]) as server,
        ChatClient(llm_settings(server.base_url)) as client,
    ):
        assert client.complete(MESSAGES, json_schema=SCHEMA).used_json_schema
    response_format = server.requests[0].body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"] == SCHEMA


def test_non_completion_body_is_an_invalid_response() -> None:
    with FakeOpenAI([Reply(raw_body='{"ok": true}')]) as server:
        assert failure_reason(server) == "invalid_response"


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("3", 3.0), ("-4", 0.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None)],
)
def test_retry_after_parsing(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_requests_latency_and_tokens_are_exported_as_metrics() -> None:
    def sample(name: str, labels: dict[str, str] | None = None) -> float:
        return REGISTRY.get_sample_value(name, labels or {}) or 0.0

    before = (
        sample("claimcheck_llm_requests_total", {"outcome": "http_502"}),
        sample("claimcheck_llm_requests_total", {"outcome": "ok"}),
        sample("claimcheck_llm_tokens_total", {"kind": "completion"}),
        sample("claimcheck_llm_latency_seconds_count"),
    )
    with FakeOpenAI([Reply.error(502), Reply.text("ok", completion_tokens=7)]) as server:
        ChatClient(llm_settings(server.base_url)).complete(MESSAGES)
    after = (
        sample("claimcheck_llm_requests_total", {"outcome": "http_502"}),
        sample("claimcheck_llm_requests_total", {"outcome": "ok"}),
        sample("claimcheck_llm_tokens_total", {"kind": "completion"}),
        sample("claimcheck_llm_latency_seconds_count"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 7, 2]


def test_a_real_outage_on_first_contact_is_not_mistaken_for_schema_trouble() -> None:
    settings = llm_settings("http://unused", llm_circuit_failures=10)
    with FakeOpenAI([Reply.error(500)]) as server:
        client = ChatClient(settings.model_copy(update={"llm_base_url": server.base_url}))
        with pytest.raises(LLMError) as failure:
            client.complete(MESSAGES, json_schema=SCHEMA, plain_json_note="Answer in JSON.")
    assert failure.value.reason == "http_500"
    assert client.endpoint.accepts_json_schema is None  # still unknown: the server was just down
    # one schema request, then the plain request and its two retries
    assert ["response_format" in r.body for r in server.requests] == [True, False, False, False]
