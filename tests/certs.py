"""A local certificate authority that signs requests the way Alexa does.

Builds a root, an intermediate and an ``echo-api.amazon.com`` leaf with
``cryptography`` (proper CA/B-style extensions, so the real chain policy
accepts them), signs request bodies with the leaf key and produces the
headers Alexa sends. Keys are generated once per process and reused.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.endpoint.verify import RequestVerifier

ALEXA_SAN = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


@functools.lru_cache(maxsize=None)
def rsa_key(role: str) -> rsa.RSAPrivateKey:
    """One 2048-bit key per role name, generated once per process."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Authority:
    """A root and the intermediate it signed; the intermediate signs leaves."""

    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class Chain:
    """A signing chain as Alexa serves it: PEM bundle of leaf then intermediate."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    pem_chain_bytes: bytes
    path: Path | None = None  # chain.pem written under tmp_path, if given


@dataclass
class RecordingFetch:
    """A ``fetch`` for RequestVerifier that serves PEM bundles from memory."""

    chains: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        try:
            return self.chains[url]
        except KeyError:
            raise OSError(f"HTTP Error 404: Not Found ({url})") from None


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Leg Coach Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ski(key: rsa.RSAPrivateKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def _aki(issuer_key: rsa.RSAPrivateKey) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True,
        crl_sign=True, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _leaf_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=True,
        data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _builder(
    subject: str, issuer: x509.Name, key: rsa.RSAPrivateKey, start: datetime, end: datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(_ski(key), critical=False)
    )


def make_authority(name: str = "Leg Coach Test", *, now: datetime | None = None) -> Authority:
    """A root CA and an intermediate valid ten years around ``now``.

    Different names use different keys, so a leaf from one authority is not
    trusted by a verifier holding another authority's root.
    """
    now = now or datetime.now(timezone.utc)
    start, end = now - timedelta(days=3650), now + timedelta(days=3650)
    root_key, mid_key = rsa_key(f"{name} root"), rsa_key(f"{name} intermediate")
    root_name = _name(f"{name} Root CA")
    root = (
        _builder(f"{name} Root CA", root_name, root_key, start, end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    intermediate = (
        _builder(f"{name} Intermediate CA", root_name, mid_key, start, end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(_aki(root_key), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return Authority(root, root_key, intermediate, mid_key)


def make_leaf(
    authority: Authority,
    *,
    san: str | Sequence[str] | None = ALEXA_SAN,
    not_before: datetime,
    not_after: datetime,
    key: rsa.RSAPrivateKey | None = None,
) -> x509.Certificate:
    """A serverAuth leaf signed by ``authority``'s intermediate (no SAN if None)."""
    key = key or rsa_key("leaf")
    names = [san] if isinstance(san, str) else list(san or [])
    builder = (
        _builder(names[0] if names else "no-san.example", authority.intermediate.subject,
                 key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_aki(authority.intermediate_key), critical=False)
    )  # fmt: skip
    if names:
        sans = x509.SubjectAlternativeName([x509.DNSName(n) for n in names])
        builder = builder.add_extension(sans, critical=False)
    return builder.sign(authority.intermediate_key, hashes.SHA256())


@functools.lru_cache(maxsize=None)
def default_authority() -> Authority:
    """The shared test authority (one per process)."""
    return make_authority()


def make_chain(
    tmp_path: Path | None = None,
    *,
    san: str | Sequence[str] | None = ALEXA_SAN,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    authority: Authority | None = None,
    now: datetime | None = None,
) -> Chain:
    """A leaf for ``san`` (default echo-api.amazon.com) plus its chain.

    Validity defaults to one day before ``now`` (default: the real time) until
    thirty days after. With ``tmp_path`` the PEM bundle is also written to
    ``tmp_path / "chain.pem"`` and the root to ``tmp_path / "root.pem"``.
    """
    now = now or datetime.now(timezone.utc)
    authority = authority or default_authority()
    key = rsa_key("leaf")
    leaf = make_leaf(
        authority,
        san=san,
        not_before=not_before or now - timedelta(days=1),
        not_after=not_after or now + timedelta(days=30),
        key=key,
    )
    pem = pem_bundle(leaf, authority.intermediate)
    path = None
    if tmp_path is not None:
        path = tmp_path / "chain.pem"
        path.write_bytes(pem)
        (tmp_path / "root.pem").write_bytes(pem_bundle(authority.root))
    return Chain(authority.root, authority.intermediate, leaf, key, pem, path)


def verifier_for(chain: Chain, skill_id: str | None = SKILL_ID, **options: Any) -> RequestVerifier:
    """A RequestVerifier that trusts ``chain``'s root and is served ``chain``.

    ``fetch`` defaults to a RecordingFetch serving the PEM bundle at CERT_URL
    (pass your own to inspect its ``calls``); other options go to the verifier.
    """
    options.setdefault("fetch", RecordingFetch({CERT_URL: chain.pem_chain_bytes}))
    return RequestVerifier(skill_id, trusted_roots=[chain.root], **options)


def pem_bundle(*certs: x509.Certificate) -> bytes:
    """Concatenated PEM encodings, in the order given."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def sign_request(body: bytes, key: rsa.RSAPrivateKey) -> dict[str, str]:
    """The ``Signature-256`` header for ``body`` (RSA PKCS#1 v1.5, SHA-256)."""
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return {"Signature-256": base64.b64encode(signature).decode("ascii")}


def legacy_signature(body: bytes, key: rsa.RSAPrivateKey) -> dict[str, str]:
    """The older SHA-1 ``Signature`` header, which alone must not be accepted."""
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA1())
    return {"Signature": base64.b64encode(signature).decode("ascii")}


def alexa_headers(body: bytes, chain: Chain, url: str = CERT_URL) -> dict[str, str]:
    """Every header Alexa sends with a signed request for ``body``."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": url,
        **sign_request(body, chain.leaf_key),
    }


def alexa_timestamp(moment: datetime) -> str:
    """``moment`` in Alexa's format, e.g. ``2026-01-15T12:00:00Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_request(
    timestamp: datetime | str,
    application_id: str = SKILL_ID,
    *,
    extra: Mapping[str, object] | None = None,
) -> bytes:
    """A minimal but well-formed LaunchRequest envelope as raw JSON bytes."""
    stamp = timestamp if isinstance(timestamp, str) else alexa_timestamp(timestamp)
    application = {"applicationId": application_id}
    user = {"userId": "amzn1.ask.account.TEST"}
    envelope = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.TEST",
                    "application": application, "user": user},
        "context": {"System": {"application": application, "user": user,
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.TEST",
                    "timestamp": stamp, "locale": "en-US"},
        **(extra or {}),
    }  # fmt: skip
    return json.dumps(envelope).encode("utf-8")
