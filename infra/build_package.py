"""Build the Lambda deployment zip: dist/leg-coach-lambda.zip.

    python infra/build_package.py [--out dist/leg-coach-lambda.zip]
                                  [--compile-with /path/to/python3.13]

The zip holds what the function needs and nothing else:

- ask-sdk-core and its dependencies, as wheels for the Lambda runtime
  (CPython 3.13, manylinux x86_64), pinned to the versions installed here so
  the tested code is the shipped code, and tzdata (time zones for reminders
  and weekly counts: the runtime image has no zoneinfo database);
- ask-sdk-dynamodb-persistence-adapter without its dependencies: boto3 and
  botocore come with the Lambda runtime;
- our packages speech/, timer/ and skill/ with their data files, without
  tests, caches or compiled files.

Flask, pyttsx3 and rich are not packaged: the Lambda entry point
(skill.endpoint.lambda_function) does not import them. The zip is deterministic:
sorted entries, fixed timestamps and permissions.

/var/task is read-only on Lambda, so Python compiles every imported module
again at each cold start unless the zip carries bytecode for the runtime's
Python. ``--compile-with`` names an interpreter of exactly that version
(e.g. from ``uv python install 3.13`` or the SAM build image) and ships
``unchecked-hash`` .pyc files, valid whatever the files' timestamps.
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "dist" / "leg-coach-lambda.zip"
PACKAGES = ("speech", "timer", "skill")
# tzdata: the Lambda runtime image has no /usr/share/zoneinfo for zoneinfo.
WITH_DEPENDENCIES = ("ask-sdk-core", "tzdata")
WITHOUT_DEPENDENCIES = ("ask-sdk-dynamodb-persistence-adapter",)
# In the Lambda Python runtime already; never shipped.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
SKIP_DIRS = frozenset({"__pycache__", "tests", "bin"})
SKIP_SUFFIXES = (".pyc", ".pyo", ".wav", ".mp3")
MEDIA_SUFFIXES = (".wav", ".mp3")
PYTHON_VERSION = "3.13"
PLATFORM = "manylinux2014_x86_64"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LAMBDA_TASK_ROOT = "/var/task"


class BuildError(RuntimeError):
    """The package could not be built; the message says why."""


def pinned(names: Iterable[str]) -> list[str]:
    """``name==version`` as installed in this environment."""
    try:
        return [f"{name}=={importlib.metadata.version(name)}" for name in names]
    except importlib.metadata.PackageNotFoundError as e:
        raise BuildError(f"{e.name} is not installed here: pip install -e '.[aws]'") from e


def constraints_text() -> str:
    """Every installed distribution pinned, so dependencies match the tested ones."""
    lines = {f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
             if d.metadata["Name"] and d.metadata["Name"].lower() not in RUNTIME_PROVIDED}
    return "\n".join(sorted(lines)) + "\n"


def pip_install(target: Path, requirements: list[str], *, deps: bool,
                constraints: Path, python_version: str, platform: str) -> None:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--target", str(target), "--no-compile", "--only-binary=:all:",
               "--implementation", "cp", "--python-version", python_version,
               "--platform", platform, "--constraint", str(constraints), *requirements]
    if not deps:
        command.insert(4, "--no-deps")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"pip install {' '.join(requirements)} failed:\n{result.stderr.strip()}")


def copy_package(source: Path, target: Path) -> None:
    for path in walk(source):
        destination = target / path.relative_to(source.parent)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def walk(root: Path, *, bytecode: bool = False) -> Iterator[Path]:
    """Files under ``root`` worth shipping, in a stable order."""
    skip_dirs = SKIP_DIRS - {"__pycache__"} if bytecode else SKIP_DIRS
    skip_suffixes = MEDIA_SUFFIXES if bytecode else SKIP_SUFFIXES
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in skip_dirs or part.endswith(".egg-info") for part in relative.parts):
            continue
        if path.is_file() and not path.name.endswith(skip_suffixes):
            yield path


def compile_bytecode(staging: Path, python: str, python_version: str) -> None:
    """Compile ``staging`` with ``python``, which must be the runtime's version."""
    try:
        found = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        raise BuildError(f"cannot run {python}: {e}") from e
    if found != python_version:
        raise BuildError(f"{python} is Python {found}; the package targets {python_version}")
    # File names inside the bytecode say /var/task/..., where Lambda unpacks the zip.
    result = subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode",
                             "unchecked-hash", "-s", str(staging), "-p", LAMBDA_TASK_ROOT,
                             str(staging)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"compileall failed:\n{(result.stdout + result.stderr).strip()}")


def prune(staging: Path) -> None:
    """Drop runtime-provided libraries and anything pip left that is never imported."""
    for path in sorted(staging.iterdir()):
        name = path.name.split("-")[0].lower()
        if name in RUNTIME_PROVIDED or path.name in SKIP_DIRS:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def write_zip(source: Path, out: Path, *, bytecode: bool = False) -> Path:
    """Zip ``source`` deterministically into ``out`` (written atomically)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in walk(source, bytecode=bytecode):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(out)
    return out


def build(out: Path = DEFAULT_OUT, *, python_version: str = PYTHON_VERSION,
          platform: str = PLATFORM, compile_with: str | None = None) -> Path:
    """Build the Lambda zip at ``out``; returns its path."""
    with tempfile.TemporaryDirectory(prefix="leg-coach-lambda-") as tmp:
        staging, constraints = Path(tmp) / "package", Path(tmp) / "constraints.txt"
        constraints.write_text(constraints_text())
        install = functools.partial(pip_install, staging, constraints=constraints,
                                    python_version=python_version, platform=platform)
        install(pinned(WITH_DEPENDENCIES), deps=True)
        install(pinned(WITHOUT_DEPENDENCIES), deps=False)
        prune(staging)
        for name in PACKAGES:
            copy_package(ROOT / name, staging)
        if compile_with:
            compile_bytecode(staging, compile_with, python_version)
        return write_zip(staging, out, bytecode=bool(compile_with))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python infra/build_package.py",
                                     description="Build the Lambda deployment zip.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"zip to write (default: {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--python-version", default=PYTHON_VERSION,
                        help=f"Lambda runtime's Python (default: {PYTHON_VERSION})")
    parser.add_argument("--platform", default=PLATFORM,
                        help=f"wheel platform (default: {PLATFORM}; "
                             "manylinux2014_aarch64 for arm64)")
    parser.add_argument("--compile-with", metavar="PYTHON",
                        help="ship bytecode compiled by PYTHON (must be --python-version)")
    args = parser.parse_args(argv)
    try:
        out = build(args.out, python_version=args.python_version, platform=args.platform,
                    compile_with=args.compile_with)
    except BuildError as e:
        print(f"build_package: {e}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(out) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        count = len(archive.infolist())
    print(f"{out}: {out.stat().st_size:,} bytes, {count} files, {unpacked:,} bytes unpacked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
