"""The Lambda zip holds what the function needs, and the handler runs from it.

The zip is built once per test session (a few seconds with pip's cache).
The handler then runs in a fresh interpreter started with ``-I -S`` whose
only import paths, besides the standard library, are the unpacked zip and
a folder holding what the Lambda Python runtime provides (boto3, botocore,
s3transfer, jmespath, dateutil, six, urllib3, linked from this venv).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra"))
import build_package  # noqa: E402

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
LAMBDA_RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
NOT_ON_LAMBDA = ("boto3", "botocore", "s3transfer", "flask", "werkzeug", "pyttsx3", "rich",
                 "gunicorn", "espeakng_loader", "moto", "pytest")


@pytest.fixture(scope="session")
def lambda_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "leg-coach-lambda.zip"
    return build_package.build(out)


@pytest.fixture(scope="session")
def names(lambda_zip: Path) -> list[str]:
    with zipfile.ZipFile(lambda_zip) as archive:
        return archive.namelist()


@pytest.fixture(scope="session")
def task_dir(lambda_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip unpacked, as Lambda does into /var/task."""
    task = tmp_path_factory.mktemp("task")
    with zipfile.ZipFile(lambda_zip) as archive:
        archive.extractall(task)
    return task


@pytest.fixture(scope="session")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Only the libraries the Lambda Python runtime ships, linked from this venv."""
    runtime = tmp_path_factory.mktemp("runtime")
    for name in LAMBDA_RUNTIME:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, f"{name} is not installed"
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        (runtime / source.name).symlink_to(source)
    return runtime


def top_level(names: list[str]) -> set[str]:
    return {name.split("/")[0].removesuffix(".py") for name in names}


def test_zip_has_no_tests_caches_or_compiled_files(names: list[str]) -> None:
    parts = {part for name in names for part in name.split("/")}
    assert not parts & {"tests", "__pycache__"}
    assert not [n for n in names if n.endswith((".pyc", ".wav", ".mp3"))]


def test_zip_leaves_out_runtime_and_local_only_libraries(names: list[str]) -> None:
    assert not top_level(names) & set(NOT_ON_LAMBDA)


def test_zip_holds_our_packages_with_their_data(names: list[str]) -> None:
    shipped = set(names)
    for package in build_package.PACKAGES:
        for path in build_package.walk(ROOT / package):
            assert path.relative_to(ROOT).as_posix() in shipped
    assert {"ask_sdk_core", "ask_sdk_model", "ask_sdk_dynamodb"} <= top_level(names)


def test_zip_entries_are_deterministic(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "b.py").write_text("B = 2\n")
    (source / "pkg" / "a.py").write_text("A = 1\n")
    first = build_package.write_zip(source, tmp_path / "one.zip").read_bytes()
    later = time.time() + 3600
    for path in (source / "pkg").iterdir():
        os.utime(path, (later, later))
    second = build_package.write_zip(source, tmp_path / "two.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        assert archive.namelist() == ["pkg/a.py", "pkg/b.py"]


def test_bytecode_is_compiled_by_the_runtime_python_only(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("VALUE = 1\n")
    local = "%d.%d" % sys.version_info[:2]
    with pytest.raises(build_package.BuildError, match="targets 2.7"):
        build_package.compile_bytecode(tmp_path, sys.executable, "2.7")
    build_package.compile_bytecode(tmp_path, sys.executable, local)
    shipped = [p.relative_to(tmp_path).as_posix()
               for p in build_package.walk(tmp_path, bytecode=True)]
    tag = sys.implementation.cache_tag
    assert shipped == ["pkg/__pycache__/mod.%s.pyc" % tag, "pkg/mod.py"]
    pyc = (tmp_path / "pkg" / "__pycache__" / f"mod.{tag}.pyc").read_bytes()
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, never checked
    assert b"/var/task/pkg/mod.py" in pyc
    assert [p.name for p in build_package.walk(tmp_path)] == ["mod.py"]


LAUNCH = {
    "version": "1.0",
    "session": {"new": True, "sessionId": "amzn1.echo-api.session.pkg",
                "application": {"applicationId": SKILL_ID},
                "user": {"userId": "amzn1.ask.account.PACKAGE"}},
    "context": {"System": {"application": {"applicationId": SKILL_ID},
                           "user": {"userId": "amzn1.ask.account.PACKAGE"},
                           "device": {"deviceId": "device", "supportedInterfaces": {}},
                           "apiEndpoint": "https://api.amazonalexa.com"}},
    "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.pkg",
                "timestamp": "2025-01-01T00:00:00Z", "locale": "en-US"},
}

RUN_HANDLER = """
import json, sys
sys.path[:0] = [{task!r}, {runtime!r}]
from skill.endpoint.lambda_function import handler
response = handler(json.loads({event!r}), None)
from skill.store import make_store
store = make_store("dynamodb:leg-coach-users")  # the packaged DynamoDB path, no AWS call
print(json.dumps({{
    "response": response,
    "dynamodb": type(store).__name__,
    "files": sorted({{m.__file__.split("/site-packages/")[0] for m in list(sys.modules.values())
                      if getattr(m, "__file__", None) and "site-packages" in m.__file__}}),
    "local_only": sorted(n for n in {local!r} if n in sys.modules),
}}))
"""


def test_packaged_handler_answers_a_launch_request(task_dir: Path, runtime_dir: Path,
                                                   tmp_path: Path) -> None:
    code = RUN_HANDLER.format(task=str(task_dir), runtime=str(runtime_dir),
                              event=json.dumps(LAUNCH), local=("flask", "pyttsx3", "rich"))
    env = {"PATH": "/usr/bin:/bin", "LEGCOACH_HOME": str(tmp_path),
           "LEGCOACH_STORE": f"sqlite:{tmp_path / 'skill.db'}", "LEGCOACH_SKILL_ID": SKILL_ID,
           "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    response = report["response"]["response"]
    assert response["outputSpeech"]["type"] == "SSML"
    assert "<speak>" in response["outputSpeech"]["ssml"]
    assert response["shouldEndSession"] is False
    assert report["dynamodb"] == "DynamoDbStore"
    assert report["local_only"] == []
    assert report["files"] == []  # nothing came from a site-packages folder
