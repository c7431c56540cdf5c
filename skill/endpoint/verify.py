"""Checks that a request really comes from Alexa, as self-hosted skills must.

Every request carries a ``SignatureCertChainUrl`` (where Amazon publishes its
signing certificate chain) and a ``Signature-256`` (RSA PKCS#1 v1.5 with
SHA-256 over the raw body). ``RequestVerifier.verify`` does the cheap checks
first: both headers present and well formed (an Alexa URL, a base64
signature of a plausible length), the body strict JSON, the timestamp and,
when configured, the skill id. Only then does it get the chain's signing key
(:mod:`skill.endpoint.cert_chain` fetches and validates it once per URL, cached until
it expires; fetches are few at a time, and failures are remembered for a
while) and check the signature. Any failure raises ``VerificationError``;
the HTTP layer answers 400.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from skill.endpoint.cert_chain import SigningKeys, canonical_cert_url, fetch_url, system_roots
from skill.endpoint.cert_chain import VerificationError as VerificationError
from skill.endpoint.body import BodyError, parse_body

log = logging.getLogger("skill.endpoint.verify")

#: Bytes of an RSA signature from a 2048- to 4096-bit key (Alexa's is 2048).
_SIGNATURE_BYTES = range(256, 513)


class Headers(Protocol):
    """A dict of header names to values, or Flask's ``request.headers``."""

    def items(self) -> Iterable[tuple[str, str]]: ...


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class RequestVerifier:
    """Verifies Alexa requests; safe to share between threads.

    ``fetch`` downloads a URL (default: ``fetch_url`` with ``fetch_timeout``);
    ``clock`` answers the current time (default: UTC now). Validated signing
    keys are kept per certificate URL, at most ``cache_size`` of them, until
    the chain expires.
    """

    def __init__(
        self,
        skill_id: str | None = None,
        *,
        trusted_roots: Sequence[x509.Certificate] | None = None,
        fetch: Callable[[str], bytes] | None = None,
        max_age_seconds: float = 150,
        cache_size: int = 16,
        clock: Callable[[], datetime] | None = None,
        fetch_timeout: float = 3.0,
    ) -> None:
        roots = list(trusted_roots) if trusted_roots is not None else system_roots()
        self.skill_id = skill_id
        self.max_age_seconds = max_age_seconds
        default_fetch = functools.partial(fetch_url, timeout=fetch_timeout)
        self._keys = SigningKeys(roots, fetch or default_fetch, cache_size)
        self._clock = clock or _utc_now

    def verify(self, headers: Headers, body: bytes) -> dict[str, Any]:
        """The envelope (the body parsed as a JSON object, UTF-8) if the request
        is genuine, else log and raise VerificationError."""
        try:
            return self._verify(headers, body)
        except VerificationError as exc:
            log.warning("request rejected: %s", exc.reason)
            raise

    def _verify(self, headers: Headers, body: bytes) -> dict[str, Any]:
        lowered = {name.lower(): value for name, value in headers.items()}
        url = lowered.get("signaturecertchainurl", "").strip()
        if not url:
            raise VerificationError("SignatureCertChainUrl header is missing")
        signature = lowered.get("signature-256", "").strip()
        if not signature:
            raise VerificationError("Signature-256 header is missing")
        canonical = canonical_cert_url(url)
        raw = _decode_signature(signature)
        envelope = _parse_envelope(body)
        now = self._now()
        self._check_timestamp(envelope, now)
        self._check_skill_id(envelope)
        key = self._keys.key_for(canonical, now)  # the only step that may fetch
        _check_signature(key, raw, body)
        return envelope

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    def _check_timestamp(self, envelope: dict[str, Any], now: datetime) -> None:
        stamp = _dig(envelope, "request", "timestamp")
        if not isinstance(stamp, str):
            raise VerificationError("request timestamp is missing")
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            raise VerificationError(f"request timestamp {stamp!r} is not ISO 8601") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        skew = (now - moment).total_seconds()
        if skew > self.max_age_seconds:
            raise VerificationError(f"request timestamp is {skew:.0f} s old")
        if -skew > self.max_age_seconds:
            raise VerificationError(f"request timestamp is {-skew:.0f} s in the future")

    def _check_skill_id(self, envelope: dict[str, Any]) -> None:
        if self.skill_id is None:
            return
        app_id = _dig(envelope, "context", "System", "application", "applicationId")
        if app_id is None:
            app_id = _dig(envelope, "session", "application", "applicationId")
        if app_id is None:
            raise VerificationError("request has no application id")
        if app_id != self.skill_id:
            raise VerificationError(f"application id {app_id!r} is not this skill's")


def _decode_signature(signature: str) -> bytes:
    if len(signature) > 1024:
        raise VerificationError("Signature-256 header is not an RSA signature")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError("Signature-256 header is not base64") from None
    if len(raw) not in _SIGNATURE_BYTES:
        raise VerificationError("Signature-256 header is not an RSA signature")
    return raw


def _check_signature(key: rsa.RSAPublicKey, raw: bytes, body: bytes) -> None:
    try:
        key.verify(raw, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise VerificationError("signature does not match the request body") from None


def _parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = parse_body(body)
    except BodyError as exc:
        raise VerificationError(exc.reason) from None
    if not isinstance(envelope, dict):
        raise VerificationError("request body is not a JSON object")
    return envelope


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
