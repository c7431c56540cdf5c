"""Alexa request verification: URL rules, chain, signature, timestamp, skill id, cache."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest
from flask import Flask, request
from hypothesis import given
from hypothesis import strategies as st
from certs import (
    CERT_URL,
    SKILL_ID,
    Chain,
    RecordingFetch,
    alexa_headers,
    launch_request,
    legacy_signature,
    make_authority,
    make_chain,
    pem_bundle,
    rsa_key,
    sign_request,
    verifier_for,
)

from skill.endpoint.cert_chain import FetchError, canonical_cert_url, fetch_url, load_roots
from skill.endpoint.verify import RequestVerifier, VerificationError

NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=timezone.utc)


class WallClock:
    """A settable UTC clock for the verifier."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain(now=NOW)


@pytest.fixture
def utc_clock() -> WallClock:
    return WallClock()


@pytest.fixture
def fetch(chain: Chain) -> RecordingFetch:
    return RecordingFetch({CERT_URL: chain.pem_chain_bytes})


@pytest.fixture
def verifier(chain: Chain, fetch: RecordingFetch, utc_clock: WallClock) -> RequestVerifier:
    return verifier_for(chain, SKILL_ID, fetch=fetch, clock=utc_clock)


def rejection(verifier: RequestVerifier, headers: dict[str, str], body: bytes) -> str:
    with pytest.raises(VerificationError) as info:
        verifier.verify(headers, body)
    return info.value.reason


def test_genuine_request_is_accepted(verifier: RequestVerifier, chain: Chain) -> None:
    body = launch_request(NOW)
    verifier.verify(alexa_headers(body, chain), body)


def test_header_names_are_matched_in_any_case(verifier: RequestVerifier, chain: Chain) -> None:
    body = launch_request(NOW)
    headers = {name.lower(): value for name, value in alexa_headers(body, chain).items()}
    verifier.verify(headers, body)


def test_flask_request_headers_are_accepted(verifier: RequestVerifier, chain: Chain) -> None:
    body = launch_request(NOW)
    with Flask(__name__).test_request_context(
        "/alexa", method="POST", data=body, headers=alexa_headers(body, chain)
    ):
        verifier.verify(request.headers, request.get_data())


@pytest.mark.parametrize(
    ("drop", "add_legacy", "reason"),
    [
        pytest.param("SignatureCertChainUrl", False, "SignatureCertChainUrl", id="no-cert-url"),
        pytest.param("Signature-256", False, "Signature-256 header is missing", id="no-sig256"),
        pytest.param("Signature-256", True, "Signature-256 header is missing", id="sha1-only"),
    ],
)
def test_missing_signature_headers_are_rejected(
    verifier: RequestVerifier, chain: Chain, drop: str, add_legacy: bool, reason: str
) -> None:
    body = launch_request(NOW)
    headers = alexa_headers(body, chain)
    del headers[drop]
    if add_legacy:
        headers.update(legacy_signature(body, chain.leaf_key))
    assert reason in rejection(verifier, headers, body)


def test_signature_that_is_not_base64_is_rejected(verifier: RequestVerifier, chain: Chain) -> None:
    body = launch_request(NOW)
    headers = {**alexa_headers(body, chain), "Signature-256": "not~base64~at~all"}
    assert "not base64" in rejection(verifier, headers, body)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://s3.amazonaws.com/echo.api/cert.pem", id="http"),
        pytest.param("file:///echo.api/cert.pem", id="file-scheme"),
        pytest.param("https://s3.amazonaws.co/echo.api/cert.pem", id="wrong-host"),
        pytest.param("https://evil-s3.amazonaws.com/echo.api/cert.pem", id="host-suffix"),
        pytest.param("https://s3.amazonaws.com.evil.test/echo.api/cert.pem", id="host-prefix"),
        pytest.param("https://s3.amazonaws.com@evil.test/echo.api/cert.pem", id="userinfo-smuggle"),
        pytest.param("https://evil@s3.amazonaws.com/echo.api/cert.pem", id="userinfo"),
        pytest.param("https://s3.amazonaws.com:8443/echo.api/cert.pem", id="port-8443"),
        pytest.param("https://s3.amazonaws.com:x/echo.api/cert.pem", id="port-garbage"),
        pytest.param("https://s3.amazonaws.com/echo.api2/cert.pem", id="path-echo.api2"),
        pytest.param("https://s3.amazonaws.com/EcHo.api/cert.pem", id="path-case"),
        pytest.param("https://s3.amazonaws.com/echo.api/../evil/cert.pem", id="dot-dot-escape"),
        pytest.param("https://s3.amazonaws.com/echo.api/%2e%2E/evil/cert.pem", id="encoded-dot-dot"),
        pytest.param("https://s3.amazonaws.com//echo.api/cert.pem", id="double-slash"),
        pytest.param("https://s3.amazonaws.com/echo.api/", id="directory-only"),
        pytest.param("https://s3.amazonaws.com/other/echo.api/cert.pem", id="prefix-later"),
        pytest.param("s3.amazonaws.com/echo.api/cert.pem", id="no-scheme"),
    ],
)
def test_bad_certificate_url_is_rejected_without_fetching(
    verifier: RequestVerifier, chain: Chain, fetch: RecordingFetch, url: str
) -> None:
    body = launch_request(NOW)
    assert "certificate URL" in rejection(verifier, alexa_headers(body, chain, url), body)
    assert fetch.calls == []


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem", id="plain"),
        pytest.param("https://S3.AmazonAWS.com/echo.api/echo-api-cert-test.pem", id="host-case"),
        pytest.param("HTTPS://s3.amazonaws.com/echo.api/echo-api-cert-test.pem", id="scheme-case"),
        pytest.param("https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem", id="port-443"),
        pytest.param("https://s3.amazonaws.com/foo/../echo.api/echo-api-cert-test.pem", id="dotdot-in"),
        pytest.param("https://s3.amazonaws.com/echo.api/./echo-api-cert-test.pem", id="dot"),
    ],
)
def test_equivalent_certificate_urls_fetch_the_canonical_url(
    verifier: RequestVerifier, chain: Chain, fetch: RecordingFetch, url: str
) -> None:
    body = launch_request(NOW)
    verifier.verify(alexa_headers(body, chain, url), body)
    assert fetch.calls == [CERT_URL]


@given(st.lists(st.sampled_from(["echo.api", "..", ".", "", "%2e%2e", "%2F", "x", "a b"])))
def test_accepted_certificate_urls_never_leave_echo_api(segments: list[str]) -> None:
    try:
        canonical = canonical_cert_url("https://s3.amazonaws.com/" + "/".join(segments))
    except VerificationError:
        return
    path = unquote(urlsplit(canonical).path)
    assert path.startswith("/echo.api/")
    assert ".." not in path.split("/")


def test_canonical_url_keeps_percent_encoding_safe() -> None:
    url = "https://s3.amazonaws.com/echo.api/a%20b.pem"
    assert canonical_cert_url(url) == url


@pytest.mark.parametrize(
    ("chain_options", "reason"),
    [
        pytest.param({"authority": "other"}, "not trusted", id="untrusted-root"),
        pytest.param(
            {"not_before": NOW - timedelta(days=60), "not_after": NOW - timedelta(seconds=1)},
            "expired",
            id="expired",
        ),
        pytest.param(
            {"not_before": NOW + timedelta(seconds=1), "not_after": NOW + timedelta(days=60)},
            "valid from",
            id="not-yet-valid",
        ),
        pytest.param({"san": None}, "no subject alternative names", id="no-san"),
        pytest.param({"san": "api.example.com"}, "not issued to", id="wrong-san"),
        pytest.param({"san": "echo-api.amazon.com.evil.test"}, "not issued to", id="lookalike-san"),
    ],
)
def test_bad_certificate_chain_is_rejected(
    utc_clock: WallClock, chain_options: dict[str, object], reason: str
) -> None:
    trusted_root = make_chain(now=NOW).root
    if chain_options.get("authority") == "other":
        chain_options = {"authority": make_authority("Rogue", now=NOW)}
    bad = make_chain(now=NOW, **chain_options)  # type: ignore[arg-type]
    fetch = RecordingFetch({CERT_URL: bad.pem_chain_bytes})
    verifier = RequestVerifier(trusted_roots=[trusted_root], fetch=fetch, clock=utc_clock)
    body = launch_request(NOW)
    assert reason in rejection(verifier, alexa_headers(body, bad), body)


def test_chain_with_expired_authority_is_not_trusted(utc_clock: WallClock) -> None:
    lapsed = make_authority("Lapsed", now=NOW - timedelta(days=3651))  # ended yesterday
    stale = make_chain(now=NOW, authority=lapsed)
    fetch = RecordingFetch({CERT_URL: stale.pem_chain_bytes})
    verifier = RequestVerifier(trusted_roots=[stale.root], fetch=fetch, clock=utc_clock)
    body = launch_request(NOW)
    assert "not valid at validation time" in rejection(verifier, alexa_headers(body, stale), body)


def test_echo_api_name_is_found_among_several_sans(utc_clock: WallClock, chain: Chain) -> None:
    several = make_chain(now=NOW, san=["www.example.com", "echo-api.amazon.com", "x.example"])
    fetch = RecordingFetch({CERT_URL: several.pem_chain_bytes})
    verifier = RequestVerifier(trusted_roots=[chain.root], fetch=fetch, clock=utc_clock)
    body = launch_request(NOW)
    verifier.verify(alexa_headers(body, several), body)


def test_chain_without_its_intermediate_is_not_trusted(utc_clock: WallClock, chain: Chain) -> None:
    fetch = RecordingFetch({CERT_URL: pem_bundle(chain.leaf)})
    verifier = RequestVerifier(trusted_roots=[chain.root], fetch=fetch, clock=utc_clock)
    body = launch_request(NOW)
    assert "not trusted" in rejection(verifier, alexa_headers(body, chain), body)


@pytest.mark.parametrize(
    ("served", "reason"),
    [
        pytest.param(None, "could not be fetched: HTTP Error 404", id="fetch-fails"),
        pytest.param(b"<Error>AccessDenied</Error>", "not a PEM bundle", id="not-pem"),
        pytest.param(b"", "not a PEM bundle", id="empty"),
    ],
)
def test_unusable_certificate_download_is_rejected(
    utc_clock: WallClock, chain: Chain, served: bytes | None, reason: str
) -> None:
    fetch = RecordingFetch({} if served is None else {CERT_URL: served})
    verifier = RequestVerifier(trusted_roots=[chain.root], fetch=fetch, clock=utc_clock)
    body = launch_request(NOW)
    assert reason in rejection(verifier, alexa_headers(body, chain), body)


def test_signature_of_another_body_is_rejected(verifier: RequestVerifier, chain: Chain) -> None:
    body, other = launch_request(NOW), launch_request(NOW, extra={"x": 1})
    headers = {**alexa_headers(body, chain), **sign_request(other, chain.leaf_key)}
    assert "signature does not match" in rejection(verifier, headers, body)


def test_tampered_body_is_rejected(verifier: RequestVerifier, chain: Chain) -> None:
    body = launch_request(NOW)
    tampered = body.replace(b"LaunchRequest", b"IntentRequest")
    assert "signature does not match" in rejection(verifier, alexa_headers(body, chain), tampered)


def test_reencoded_body_with_same_json_is_rejected(
    verifier: RequestVerifier, chain: Chain
) -> None:
    body = launch_request(NOW)
    respelled = json.dumps(json.loads(body), indent=1).encode()
    assert json.loads(respelled) == json.loads(body)
    assert "signature does not match" in rejection(verifier, alexa_headers(body, chain), respelled)


def test_signature_by_a_key_outside_the_chain_is_rejected(
    verifier: RequestVerifier, chain: Chain
) -> None:
    body = launch_request(NOW)
    headers = {**alexa_headers(body, chain), **sign_request(body, rsa_key("forger"))}
    assert "signature does not match" in rejection(verifier, headers, body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"not json", "not JSON", id="not-json"),
        pytest.param(b"\xff\xfe", "not JSON", id="not-utf8"),
        pytest.param(b"[1, 2]", "not a JSON object", id="json-array"),
        pytest.param(b'{"request": {"type": "LaunchRequest"}}', "timestamp is missing", id="no-ts"),
        pytest.param(launch_request("yesterday"), "not ISO 8601", id="bad-ts"),
    ],
)
def test_signed_body_without_usable_timestamp_is_rejected(
    verifier: RequestVerifier, chain: Chain, body: bytes, reason: str
) -> None:
    assert reason in rejection(verifier, alexa_headers(body, chain), body)


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        pytest.param(-200, "200 s old", id="stale-200s"),
        pytest.param(200, "200 s in the future", id="future-200s"),
        pytest.param(-151, "151 s old", id="stale-151s"),
    ],
)
def test_timestamp_outside_150_seconds_is_rejected(
    verifier: RequestVerifier, chain: Chain, offset: int, reason: str
) -> None:
    body = launch_request(NOW + timedelta(seconds=offset))
    assert reason in rejection(verifier, alexa_headers(body, chain), body)


@pytest.mark.parametrize(
    "stamp",
    [
        pytest.param(NOW - timedelta(seconds=150), id="150s-old"),
        pytest.param(NOW + timedelta(seconds=150), id="150s-ahead"),
        pytest.param("2026-01-15T12:00:01.250Z", id="fractional"),
        pytest.param("2026-01-15T13:00:00+01:00", id="offset"),
        pytest.param("2026-01-15T12:00:00", id="naive-as-utc"),
    ],
)
def test_timestamp_within_150_seconds_is_accepted(
    verifier: RequestVerifier, chain: Chain, stamp: datetime | str
) -> None:
    body = launch_request(stamp)
    verifier.verify(alexa_headers(body, chain), body)


def test_other_skills_request_is_rejected(verifier: RequestVerifier, chain: Chain) -> None:
    body = launch_request(NOW, "amzn1.ask.skill.someone-else")
    assert "is not this skill's" in rejection(verifier, alexa_headers(body, chain), body)


def test_skill_id_falls_back_to_session(verifier: RequestVerifier, chain: Chain) -> None:
    envelope = json.loads(launch_request(NOW))
    del envelope["context"]["System"]["application"]
    body = json.dumps(envelope).encode()
    verifier.verify(alexa_headers(body, chain), body)
    envelope["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    body = json.dumps(envelope).encode()
    assert "is not this skill's" in rejection(verifier, alexa_headers(body, chain), body)


def test_request_without_application_id_is_rejected(
    verifier: RequestVerifier, chain: Chain
) -> None:
    body = json.dumps({"request": {"timestamp": "2026-01-15T12:00:00Z"}}).encode()
    assert "no application id" in rejection(verifier, alexa_headers(body, chain), body)


def test_any_skill_id_passes_when_none_is_configured(
    chain: Chain, fetch: RecordingFetch, utc_clock: WallClock
) -> None:
    verifier = RequestVerifier(trusted_roots=[chain.root], fetch=fetch, clock=utc_clock)
    body = launch_request(NOW, "amzn1.ask.skill.someone-else")
    verifier.verify(alexa_headers(body, chain), body)


def test_rejection_is_logged_with_reason_but_not_body(
    verifier: RequestVerifier, chain: Chain, caplog: pytest.LogCaptureFixture
) -> None:
    body = launch_request(NOW - timedelta(seconds=200), extra={"note": "private words"})
    with caplog.at_level(logging.WARNING, logger="skill.endpoint.verify"):
        rejection(verifier, alexa_headers(body, chain), body)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "200 s old" in caplog.text
    assert "private words" not in caplog.text


# --- the certificate cache -------------------------------------------------


def url_number(n: int) -> str:
    return f"https://s3.amazonaws.com/echo.api/echo-api-cert-{n}.pem"


def test_second_request_reuses_the_validated_certificate(
    verifier: RequestVerifier, chain: Chain, fetch: RecordingFetch, utc_clock: WallClock
) -> None:
    for _ in range(3):
        utc_clock.advance(60)
        body = launch_request(utc_clock.now)
        verifier.verify(alexa_headers(body, chain), body)
    assert fetch.calls == [CERT_URL]


def test_cache_evicts_the_least_recently_used_url(chain: Chain, utc_clock: WallClock) -> None:
    fetch = RecordingFetch({url_number(n): chain.pem_chain_bytes for n in range(4)})
    verifier = verifier_for(chain, None, fetch=fetch, clock=utc_clock, cache_size=3)
    body = launch_request(NOW)
    for n in (0, 1, 2, 0, 3):  # 0 is used again, so 1 is the oldest when 3 arrives
        verifier.verify(alexa_headers(body, chain, url_number(n)), body)
    assert fetch.calls == [url_number(n) for n in (0, 1, 2, 3)]
    verifier.verify(alexa_headers(body, chain, url_number(1)), body)
    assert fetch.calls[-1] == url_number(1)
    verifier.verify(alexa_headers(body, chain, url_number(0)), body)
    assert len(fetch.calls) == 5


def test_expired_cached_certificate_is_fetched_again(chain: Chain, utc_clock: WallClock) -> None:
    short = make_chain(now=NOW, not_after=NOW + timedelta(hours=1))
    fetch = RecordingFetch({CERT_URL: short.pem_chain_bytes})
    verifier = RequestVerifier(trusted_roots=[chain.root], fetch=fetch, clock=utc_clock)
    body = launch_request(utc_clock.now)
    verifier.verify(alexa_headers(body, short), body)

    utc_clock.advance(2 * 3600)
    body = launch_request(utc_clock.now)
    assert "expired" in rejection(verifier, alexa_headers(body, short), body)
    fetch.chains[CERT_URL] = chain.pem_chain_bytes  # Amazon rotated the certificate
    assert "not retried before" in rejection(verifier, alexa_headers(body, chain), body)
    utc_clock.advance(60)  # a failed URL is tried again a minute later
    body = launch_request(utc_clock.now)
    verifier.verify(alexa_headers(body, chain), body)
    assert fetch.calls == [CERT_URL] * 3


def test_concurrent_requests_share_one_verifier(
    verifier: RequestVerifier, chain: Chain, fetch: RecordingFetch
) -> None:
    body = launch_request(NOW)
    headers = alexa_headers(body, chain)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                verifier.verify(headers, body)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert 1 <= len(fetch.calls) <= len(threads)


# --- trust roots -----------------------------------------------------------


def test_system_roots_do_not_trust_the_local_test_ca(chain: Chain, utc_clock: WallClock) -> None:
    fetch = RecordingFetch({CERT_URL: chain.pem_chain_bytes})
    verifier = RequestVerifier(fetch=fetch, clock=utc_clock)
    body = launch_request(NOW)
    assert "not trusted" in rejection(verifier, alexa_headers(body, chain), body)


def test_unparseable_roots_are_skipped(chain: Chain) -> None:
    broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    roots = load_roots(broken + pem_bundle(chain.root, chain.intermediate) + broken)
    assert roots == [chain.root, chain.intermediate]


def test_empty_trusted_roots_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        RequestVerifier(trusted_roots=[])


# --- the default fetcher, against a real local HTTP server -------------------


class CertificateServer(BaseHTTPRequestHandler):
    """Serves a chain, and misbehaves in the ways a download must survive."""

    chain = b""
    stop = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            name = self.path.strip("/").replace("-", "_").replace(".", "_")
            route = getattr(self, "route_" + name, None)
            (route or self.route_missing)()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def send_body_headers(self, length: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-pem-file")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def route_chain_pem(self) -> None:
        self.send_body_headers(len(self.chain))
        self.wfile.write(self.chain)

    def route_huge_declared(self) -> None:
        self.send_body_headers(1_000_000)
        self.wfile.write(b"A" * 1000)

    def route_huge_streamed(self) -> None:
        self.send_body_headers(None)
        for _ in range(100):
            self.wfile.write(b"A" * 4096)

    def route_drip(self) -> None:  # a byte stream too slow to finish in time
        self.send_body_headers(10_000)
        while not self.stop.wait(0.02):
            self.wfile.write(b"A" * 64)
            self.wfile.flush()

    def route_stall(self) -> None:  # no answer at all
        self.stop.wait(5)

    def route_redirect(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/chain.pem")
        self.end_headers()

    def route_missing(self) -> None:
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(chain: Chain) -> Iterator[str]:
    CertificateServer.chain = chain.pem_chain_bytes
    CertificateServer.stop.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), CertificateServer)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    CertificateServer.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_fetch_downloads_the_chain(server: str, chain: Chain) -> None:
    assert fetch_url(f"{server}/chain.pem") == chain.pem_chain_bytes


@pytest.mark.parametrize(
    ("path", "error"),
    [
        pytest.param("huge-declared", "larger than 65536 bytes", id="declared-too-big"),
        pytest.param("huge-streamed", "larger than 65536 bytes", id="streamed-too-big"),
        pytest.param("drip", "longer than 0.5 s", id="too-slow"),
        pytest.param("redirect", "HTTP 302", id="redirect-not-followed"),
        pytest.param("missing", "HTTP 404", id="not-found"),
    ],
)
def test_fetch_refuses_oversized_slow_or_failed_downloads(
    server: str, path: str, error: str
) -> None:
    with pytest.raises(FetchError, match=error):
        fetch_url(f"{server}/{path}", timeout=0.5)


def test_fetch_times_out_when_server_never_answers(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch_url(f"{server}/stall", timeout=0.3)
    assert time.monotonic() - started < 3


def test_verifier_downloads_chain_over_http_once(
    server: str, chain: Chain, utc_clock: WallClock
) -> None:
    fetched: list[str] = []

    def local_fetch(url: str) -> bytes:  # the canonical S3 URL, served locally
        fetched.append(url)
        return fetch_url(f"{server}/chain.pem", timeout=2)

    verifier = RequestVerifier(trusted_roots=[chain.root], fetch=local_fetch, clock=utc_clock)
    body = launch_request(NOW)
    verifier.verify(alexa_headers(body, chain), body)
    verifier.verify(alexa_headers(body, chain), body)
    assert fetched == [CERT_URL]


def test_verifier_rejects_when_download_fails(
    server: str, chain: Chain, utc_clock: WallClock
) -> None:
    def local_fetch(url: str) -> bytes:
        return fetch_url(f"{server}/stall", timeout=0.2)

    verifier = RequestVerifier(trusted_roots=[chain.root], fetch=local_fetch, clock=utc_clock)
    body = launch_request(NOW)
    assert "could not be fetched" in rejection(verifier, alexa_headers(body, chain), body)
