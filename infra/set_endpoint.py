"""Point the skill manifest at its endpoint: a Lambda ARN or an HTTPS URL.

    python infra/set_endpoint.py arn:aws:lambda:us-east-1:123456789012:function:leg-coach
    python infra/set_endpoint.py https://coach.example.com/alexa [--certificate Wildcard]
    python infra/set_endpoint.py none      # no endpoint yet (first `ask deploy`)

Rewrites apis.custom.endpoint in infra/skill-package/skill.json; `ask deploy`
then uploads it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MANIFEST = Path(__file__).resolve().parent / "skill-package" / "skill.json"
LAMBDA_ARN = re.compile(
    r"arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(?::[A-Za-z0-9_$-]{1,128})?")
CERTIFICATES = ("Trusted", "Wildcard", "SelfSigned")


class EndpointError(ValueError):
    """The endpoint given cannot be used."""


def endpoint_for(target: str, certificate: str = "Trusted") -> dict[str, str] | None:
    """The manifest's endpoint object for ``target`` (None for "none")."""
    if target == "none":
        return None
    if LAMBDA_ARN.fullmatch(target):
        return {"uri": target}
    parts = urlsplit(target)
    if parts.scheme == "https" and parts.hostname and parts.port in (None, 443):
        if certificate not in CERTIFICATES:
            raise EndpointError(f"certificate type must be one of {', '.join(CERTIFICATES)}")
        return {"uri": target, "sslCertificateType": certificate}
    if parts.scheme == "https":
        raise EndpointError(f"{target}: Alexa calls HTTPS endpoints on port 443 only")
    raise EndpointError(f"{target!r} is neither a Lambda function ARN, an https:// URL nor 'none'")


def set_endpoint(manifest: dict[str, Any], endpoint: dict[str, str] | None) -> dict[str, Any]:
    custom = manifest["manifest"].setdefault("apis", {}).setdefault("custom", {})
    if endpoint is None:
        custom.pop("endpoint", None)
    else:
        custom["endpoint"] = endpoint
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python infra/set_endpoint.py",
        description="Set the skill's endpoint in infra/skill-package/skill.json.")
    parser.add_argument("target", help="Lambda function ARN, https:// URL, or 'none'")
    parser.add_argument("--certificate", default="Trusted", choices=CERTIFICATES,
                        help="certificate type of an HTTPS endpoint (default: Trusted)")
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        endpoint = endpoint_for(args.target, args.certificate)
        manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    except (EndpointError, OSError, ValueError) as e:
        print(f"set_endpoint: {e}", file=sys.stderr)
        return 2
    text = json.dumps(set_endpoint(manifest, endpoint), indent=2, ensure_ascii=False) + "\n"
    args.manifest.write_text(text, encoding="utf-8")
    print(f"{args.manifest}: endpoint {endpoint['uri'] if endpoint else 'removed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
