"""Size of the Lambda zip and cold start of the handler packaged in it.

Builds the zip (infra/build_package.py) into a temporary folder, unpacks it
as Lambda does, and times fresh interpreters (``-I -S -B``: no site, no
bytecode written, as on Lambda's read-only /var/task) that see only the
unpacked zip and the libraries the Lambda runtime ships (boto3, botocore,
s3transfer, jmespath, dateutil, six, urllib3):

- ``python -c pass``: the interpreter alone;
- ``import ask_sdk_core.skill_builder``: the SDK's floor, from the zip;
- ``handler``: import skill.endpoint.lambda_function and answer one LaunchRequest
  (SQLite store in a temporary LEGCOACH_HOME).

Two zips: the default one (no bytecode, so every cold start compiles), and
one built with ``--compile-with`` this interpreter (bytecode shipped; the
local Python stands in for the Lambda runtime's). Runs interleave; medians
of whole-process wall time. Prints figures; no pass/fail.

    .venv/bin/python benchmarks/bench_package.py [--runs 15]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "infra"))
import build_package  # noqa: E402

RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
SKILL_ID = "amzn1.ask.skill.bench"
LAUNCH = {
    "version": "1.0",
    "session": {"new": True, "sessionId": "amzn1.echo-api.session.bench",
                "application": {"applicationId": SKILL_ID},
                "user": {"userId": "amzn1.ask.account.BENCH"}},
    "context": {"System": {"application": {"applicationId": SKILL_ID},
                           "user": {"userId": "amzn1.ask.account.BENCH"},
                           "device": {"deviceId": "bench", "supportedInterfaces": {}},
                           "apiEndpoint": "https://api.amazonalexa.com"}},
    "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.bench",
                "timestamp": "2026-01-01T00:00:00Z", "locale": "en-US"},
}
PATHS = "import sys; sys.path[:0] = [{task!r}, {runtime!r}]\n"
CASES = {
    "import ask_sdk_core.skill_builder": PATHS + "import ask_sdk_core.skill_builder",
    "handler: import + LaunchRequest": PATHS + (
        "import json\nfrom skill.endpoint.lambda_function import handler\n"
        "r = handler(json.loads({event!r}), None)\n"
        "assert r['response']['outputSpeech']['ssml'].startswith('<speak>')"),
}


def runtime_folder(root: Path) -> Path:
    """What the Lambda Python runtime provides, linked from this environment."""
    runtime = root / "runtime"
    runtime.mkdir()
    for name in RUNTIME:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise SystemExit(f"bench_package: {name} is not installed: pip install -e '.[aws]'")
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        (runtime / source.name).symlink_to(source)
    return runtime


def run_once(code: str, env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code], env=env, cwd=cwd,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"bench_package: run failed:\n{result.stderr.strip()}")
    return elapsed


def unpack(zip_path: Path, task: Path) -> tuple[int, int, int]:
    """Unpack; (zip bytes, unpacked bytes, files)."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(task)
        infos = archive.infolist()
    return zip_path.stat().st_size, sum(i.file_size for i in infos), len(infos)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    local = "%d.%d" % sys.version_info[:2]
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        shipped = build_package.build(root / "leg-coach-lambda.zip")
        build_seconds = time.perf_counter() - started
        compiled = build_package.build(root / "compiled.zip", python_version=local,
                                       compile_with=sys.executable)
        sizes = {"zip": unpack(shipped, root / "task"),
                 "bytecode": unpack(compiled, root / "task-bytecode")}
        runtime = runtime_folder(root)
        env = {"PATH": "/usr/bin:/bin", "LEGCOACH_HOME": str(root / "home"),
               "LEGCOACH_STORE": f"sqlite:{root / 'home' / 'skill.db'}",
               "LEGCOACH_SKILL_ID": SKILL_ID}
        codes = {"python -c pass": "pass"}
        for kind, folder in (("zip", "task"), ("bytecode", "task-bytecode")):
            for name, code in CASES.items():
                codes[f"{name} [{kind}]"] = code.format(
                    task=str(root / folder), runtime=str(runtime), event=json.dumps(LAUNCH))
        times: dict[str, list[float]] = {name: [] for name in codes}
        for code in codes.values():  # warm the page cache once
            run_once(code, env, root)
        for _ in range(args.runs):
            for name, code in codes.items():
                times[name].append(run_once(code, env, root))
    print(f"Lambda package, as shipped (built in {build_seconds:.1f} s; CPython "
          f"{build_package.PYTHON_VERSION} {build_package.PLATFORM} wheels, no bytecode):")
    zip_bytes, unpacked, files = sizes["zip"]
    print(f"  zip {zip_bytes:,} bytes; unpacked {unpacked:,} bytes in {files} files")
    zip_bytes, unpacked, files = sizes["bytecode"]
    print(f"  with bytecode (--compile-with, Python {local}): zip {zip_bytes:,} bytes; "
          f"unpacked {unpacked:,} bytes in {files} files")
    print(f"Cold start, fresh `python -I -S -B` process (Python {sys.version.split()[0]}), "
          f"median of {args.runs}:")
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["python -c pass"]
    for name, median in medians.items():
        line = f"  {name:<46} {median * 1000:7.1f} ms  x{median / bare:5.1f} bare python"
        if "[" in name:
            kind = name.rsplit("[", 1)[-1].rstrip("]")
            sdk = medians[f"import ask_sdk_core.skill_builder [{kind}]"]
            line += f"  x{median / sdk:4.2f} ask-sdk import"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
