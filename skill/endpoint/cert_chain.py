"""Alexa's signing certificate chain: where it may come from, and when its key is trusted.

A request names its chain by URL (``SignatureCertChainUrl``). The URL must
follow Alexa's rules; the chain is downloaded without redirects, within a
size and a time limit, and validated for ``echo-api.amazon.com`` against
the platform's trusted roots. :class:`SigningKeys` does that once per URL
and keeps the key until the chain expires, so the per-request checks in
:mod:`skill.endpoint.verify` pay only for the signature. Failures raise
``VerificationError``, defined here because both halves raise it.
"""

from __future__ import annotations

import http.client
import posixpath
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification

ALEXA_SAN = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
MAX_CHAIN_BYTES = 64 * 1024
CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/ssl/cert.pem",  # macOS, BSD
)


class VerificationError(Exception):
    """A request failed verification; ``reason`` says which check failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchError(OSError):
    """The certificate chain could not be downloaded within the limits."""


@dataclass(frozen=True)
class _Trusted:
    """A signing key whose chain was validated, and how long that holds."""

    key: rsa.RSAPublicKey
    not_before: datetime
    not_after: datetime


def canonical_cert_url(url: str) -> str:
    """The normalised certificate URL, or VerificationError if Alexa's rules fail.

    https only, host s3.amazonaws.com (any case), port 443 if given, and a
    path under /echo.api/ (case-sensitive) after decoding percent-escapes
    and resolving dot segments.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise VerificationError("certificate URL is malformed") from None
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL is not https")
    if "@" in parts.netloc or (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError(f"certificate URL host is not {CERT_HOST}")
    if port not in (None, 443):
        raise VerificationError("certificate URL port is not 443")
    path = posixpath.normpath(urllib.parse.unquote(parts.path))
    if "\\" in path or not path.startswith(CERT_PATH_PREFIX):
        raise VerificationError(f"certificate URL path is not under {CERT_PATH_PREFIX}")
    return f"https://{CERT_HOST}{urllib.parse.quote(path)}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError for the 3xx answer


def fetch_url(url: str, *, timeout: float = 3.0, max_bytes: int = MAX_CHAIN_BYTES) -> bytes:
    """GET ``url`` without following redirects, within ``timeout`` and ``max_bytes``.

    Raises OSError (FetchError, URLError, TimeoutError) or HTTPException.
    """
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_NoRedirect())
    request = urllib.request.Request(url, headers={"User-Agent": "leg-coach"})
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    with response:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"certificate chain larger than {max_bytes} bytes")
        data = bytearray()
        while chunk := response.read1(16384):
            data += chunk
            if len(data) > max_bytes:
                raise FetchError(f"certificate chain larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError(f"certificate download took longer than {timeout} s")
    return bytes(data)


_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def load_roots(pem: bytes) -> list[x509.Certificate]:
    """Every parseable certificate in a PEM bundle; odd legacy roots are skipped."""
    roots = []
    for block in _PEM_BLOCK.findall(pem):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return roots


def system_roots() -> list[x509.Certificate]:
    """The platform's trusted roots (OpenSSL's CA file, common bundles, certifi)."""
    candidates = [ssl.get_default_verify_paths().cafile, *CA_BUNDLES]
    try:
        import certifi  # optional: present wherever requests or botocore are
    except ImportError:
        pass
    else:
        candidates.append(certifi.where())
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            roots = load_roots(Path(candidate).read_bytes())
            if roots:
                return roots
    raise FileNotFoundError(f"no CA bundle found (tried {', '.join(filter(None, candidates))})")


class SigningKeys:
    """Validated signing keys by certificate URL; safe to share between threads.

    ``fetch`` downloads a chain; at most ``cache_size`` keys are kept (least
    recently used out first), each until its chain expires. A request naming
    an unknown URL costs a download, so downloads are rationed: at most
    ``max_fetches`` at once (beyond that a request is refused at once rather
    than wait), one per URL (others asking for the same URL wait for it, up
    to ``wait_seconds``), and a URL that failed is refused without a new
    download for ``failure_seconds`` (the last ``failure_cache_size`` kept).
    """

    def __init__(self, roots: Sequence[x509.Certificate], fetch: Callable[[str], bytes],
                 cache_size: int = 16, *, max_fetches: int = 2, wait_seconds: float = 4.0,
                 failure_seconds: float = 60.0, failure_cache_size: int = 256) -> None:
        if not roots:
            raise ValueError("trusted_roots is empty")
        self.cache_size = cache_size
        self.failure_seconds = failure_seconds
        self.failure_cache_size = failure_cache_size
        self.wait_seconds = wait_seconds
        self._store = verification.Store(list(roots))
        self._fetch = fetch
        self._cache: OrderedDict[str, _Trusted] = OrderedDict()
        self._failures: OrderedDict[str, tuple[datetime, str]] = OrderedDict()
        self._in_flight: dict[str, threading.Event] = {}
        self._fetch_slots = threading.BoundedSemaphore(max_fetches)
        self._lock = threading.Lock()

    def key_for(self, url: str, now: datetime) -> rsa.RSAPublicKey:
        """The key of the chain at ``url`` (canonical), trusted at ``now``."""
        while True:
            with self._lock:
                key = self._known(url, now)
                if key is not None:
                    return key
                pending = self._in_flight.get(url)
                if pending is None:
                    pending = self._in_flight[url] = threading.Event()
                    break
            if not pending.wait(self.wait_seconds):  # someone else is fetching it
                raise VerificationError("certificate chain is still being fetched")
        try:
            trusted = self._fetch_and_validate(url, now)
        finally:
            with self._lock:
                del self._in_flight[url]
            pending.set()
        return trusted.key

    def _known(self, url: str, now: datetime) -> rsa.RSAPublicKey | None:
        """The cached key (None to fetch); a recent failure is raised again. Holds the lock."""
        trusted = self._cache.get(url)
        if trusted is not None:
            if trusted.not_before <= now <= trusted.not_after:
                self._cache.move_to_end(url)
                return trusted.key
            del self._cache[url]  # expired: fetch the current chain
        failure = self._failures.get(url)
        if failure is not None:
            until, reason = failure
            if now < until:
                raise VerificationError(f"{reason} (not retried before {until:%H:%M:%S} UTC)")
            del self._failures[url]
        return None

    def _fetch_and_validate(self, url: str, now: datetime) -> _Trusted:
        if not self._fetch_slots.acquire(blocking=False):
            raise VerificationError("certificate chain not fetched: too many downloads in progress")
        try:
            trusted = self._validate(self._download(url), now)
        except VerificationError as exc:
            with self._lock:
                self._failures[url] = (now + timedelta(seconds=self.failure_seconds), exc.reason)
                while len(self._failures) > self.failure_cache_size:
                    self._failures.popitem(last=False)
            raise
        finally:
            self._fetch_slots.release()
        with self._lock:
            self._cache[url] = trusted
            self._cache.move_to_end(url)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return trusted

    def _download(self, url: str) -> bytes:
        try:
            return self._fetch(url)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise VerificationError(f"certificate chain could not be fetched: {exc}") from None

    def _validate(self, pem: bytes, now: datetime) -> _Trusted:
        try:
            leaf, *intermediates = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise VerificationError("certificate chain is not a PEM bundle") from None
        _check_leaf(leaf, now)
        verifier = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(x509.DNSName(ALEXA_SAN))
        )
        try:
            chain = verifier.verify(leaf, intermediates)
        except verification.VerificationError as exc:
            detail = str(exc).split(" (encountered", 1)[0]
            raise VerificationError(f"certificate chain is not trusted: {detail}") from None
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("signing certificate key is not RSA")
        return _Trusted(
            key,
            not_before=max(c.not_valid_before_utc for c in chain),
            not_after=min(c.not_valid_after_utc for c in chain),
        )


def _check_leaf(leaf: x509.Certificate, now: datetime) -> None:
    """Clear reasons for the commonest leaf faults (the chain policy re-checks)."""
    if now < leaf.not_valid_before_utc:
        raise VerificationError(f"signing certificate valid from {leaf.not_valid_before_utc}")
    if now > leaf.not_valid_after_utc:
        raise VerificationError(f"signing certificate expired at {leaf.not_valid_after_utc}")
    try:
        sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        raise VerificationError("signing certificate has no subject alternative names") from None
    except ValueError:
        raise VerificationError("signing certificate extensions are malformed") from None
    if ALEXA_SAN not in [n.lower() for n in sans.value.get_values_for_type(x509.DNSName)]:
        raise VerificationError(f"signing certificate is not issued to {ALEXA_SAN}")
