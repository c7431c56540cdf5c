"""The production app for benchmarks/load.py, trusting a test certificate authority.

    gunicorn -c infra/gunicorn.conf.py --pythonpath benchmarks 'load_app:create()'

Everything is as deployed (gunicorn settings, full request verification:
signature, chain, timestamp, skill id; the store from LEGCOACH_STORE)
except two things a real Alexa would provide: the trusted root is the one in
``$LEGCOACH_LOAD_CERTS/root.pem``, and the signing chain Alexa's requests
name is served from ``$LEGCOACH_LOAD_CERTS/chain.pem`` instead of being
downloaded. tests/certs.py makes both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CERTS_ENV = "LEGCOACH_LOAD_CERTS"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def create() -> Any:
    from cryptography import x509

    from skill.endpoint.app import create_app

    folder = Path(os.environ[CERTS_ENV])
    root = x509.load_pem_x509_certificate((folder / "root.pem").read_bytes())
    chain = (folder / "chain.pem").read_bytes()

    def fetch(url: str) -> bytes:
        if url != CERT_URL:
            raise OSError(f"no certificate at {url}")
        return chain

    return create_app({"TRUSTED_ROOTS": [root], "FETCH": fetch})
