"""Cost of verifying an Alexa request: cached certificate vs cold chain validation.

Baseline in the same run: json.loads of the same body, which any endpoint
pays anyway. Run: .venv/bin/python benchmarks/bench_verify.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from certs import (  # noqa: E402  (the test CA lives with the tests)
    CERT_URL,
    SKILL_ID,
    RecordingFetch,
    alexa_headers,
    launch_request,
    make_chain,
)

from skill.endpoint.cert_chain import system_roots  # noqa: E402
from skill.endpoint.verify import RequestVerifier  # noqa: E402


def timings_us(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        action()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return sorted(samples)


def pct(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(q * len(samples)))]


def report(label: str, samples: list[float]) -> None:
    p50, p99 = pct(samples, 0.50), pct(samples, 0.99)
    print(f"{label:<44} p50 {p50:8.1f} us   p99 {p99:8.1f} us   (n={len(samples)})")


def realistic_body() -> bytes:
    """An IntentRequest padded like a real one (access token, device, viewport)."""
    extra = {
        "context": {
            "System": {
                "application": {"applicationId": SKILL_ID},
                "user": {"userId": "amzn1.ask.account." + "A" * 200},
                "device": {"deviceId": "amzn1.ask.device." + "B" * 150,
                           "supportedInterfaces": {"AudioPlayer": {}}},
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "C" * 900,
            },
            "Viewport": {"experiences": [{"canRotate": False, "canResize": False}],
                         "shape": "RECTANGLE", "pixelWidth": 1024, "pixelHeight": 600,
                         "dpi": 160, "currentPixelWidth": 1024, "currentPixelHeight": 600},
        },
    }  # fmt: skip
    return launch_request(datetime.now(timezone.utc), extra=extra)


def main() -> int:
    chain = make_chain()
    body = realistic_body()
    headers = alexa_headers(body, chain)
    fetch = RecordingFetch({CERT_URL: chain.pem_chain_bytes})
    warm = RequestVerifier(SKILL_ID, trusted_roots=[chain.root], fetch=fetch)
    warm.verify(headers, body)
    runs = 5000

    print(f"body {len(body)} bytes, chain {len(chain.pem_chain_bytes)} bytes, RSA 2048")
    baseline = timings_us(lambda: json.loads(body), runs)
    cached = timings_us(lambda: warm.verify(headers, body), runs)
    report("baseline: json.loads(body)", baseline)
    report("verify, cached certificate", cached)
    ratio = statistics.median(cached) / statistics.median(baseline)
    print(f"{'cached verify / json.loads (p50 ratio)':<44} {ratio:.1f}x")
    print(f"{'fetches during cached runs':<44} {len(fetch.calls)}")

    def cold(roots: list[x509.Certificate]) -> Callable[[], None]:
        uncached = RequestVerifier(SKILL_ID, trusted_roots=roots, fetch=fetch, cache_size=0)
        return lambda: uncached.verify(headers, body)

    report("verify, cold (parse + chain + signature)", timings_us(cold([chain.root]), 300))
    roots = [*system_roots(), chain.root]
    report(f"verify, cold, store of {len(roots)} roots", timings_us(cold(roots), 300))
    report("system_roots() (constructor default)", timings_us(system_roots, 30))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
