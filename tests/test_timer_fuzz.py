"""Property-based fuzzing of plan files and reminder settings (hypothesis).

Thousands of generated files per run: random TOML documents, built-in plans
with fields replaced by random values, and plan text with random bytes
spliced in. The CLI either succeeds or answers with one line of at most 200
characters naming the file, exit 2; never a traceback (an exception escaping
``main`` fails the test). Derandomized, so every run tries the same cases;
``LEGCOACH_FUZZ=10`` multiplies the number of cases for a longer soak.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timer import remind
from timer.cli import main
from timer.plans import _ENTRY_FIELDS, _TOP_FIELDS, load_plan
from timer.reminders_config import default_text

SCALE = int(os.environ.get("LEGCOACH_FUZZ", "1"))
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples * SCALE, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


# -- a small TOML writer for generated values --

def toml_key(key: str) -> str:
    return toml_string(key)


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(data: dict[str, Any]) -> str:
    """Top-level keys as ``key = value``; lists of tables as ``[[key]]`` sections."""
    lines, sections = [], []
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                sections.append(f"[[{toml_key(key)}]]")
                sections += [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
        elif isinstance(value, dict) and value:
            sections.append(f"[{toml_key(key)}]")
            sections += [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(lines + sections) + "\n"


# -- strategies --

EXERCISES = ["squat", "lunge", "glute-bridge", "wall-sit", "calf-raise", "march", "quad-stretch"]
KEYS = st.sampled_from([*_TOP_FIELDS, *_ENTRY_FIELDS, "down", "hold", "up", *EXERCISES]) | st.text(max_size=12)
SCALARS = (st.integers() | st.integers(-5, 700) | st.floats() | st.booleans() | st.text(max_size=30)
           | st.sampled_from(EXERCISES + ["alternate", "each", "", " "]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)
DEEP = st.integers(1, 1200).map(lambda n: "[" * n + "]" * n)

PLAN = tomllib.loads(load_plan("beginner").to_toml())
PLAN_TEXT = load_plan("beginner").to_toml()


@st.composite
def mutated_plans(draw: st.DrawFn) -> str:
    """The beginner plan with a few fields replaced, added or removed."""
    data = json.loads(json.dumps(PLAN))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(["top", "exercises", "warmup"]))
        tables = data.get(where) if where != "top" else [data]
        tables = [t for t in tables if isinstance(t, dict)] if isinstance(tables, list) else []
        if not tables:
            continue
        target = draw(st.sampled_from(tables))
        key = draw(KEYS)
        if draw(st.booleans()) and target:
            key = draw(st.sampled_from(sorted(target)))
        if draw(st.integers(0, 5)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(VALUES)
    return toml_document(data)


@st.composite
def spliced_text(draw: st.DrawFn, base: str) -> str:
    """``base`` with random text (or a deeply nested array) spliced in somewhere."""
    at = draw(st.integers(0, len(base)))
    cut = draw(st.integers(0, 20))
    insert = draw(st.text(max_size=20) | DEEP | st.sampled_from(["[", "]", "{", "=", '"', "\n", "\\"]))
    return base[:at] + insert + base[at + cut:]


PLAN_FILES = (st.dictionaries(KEYS, VALUES, max_size=6).map(toml_document)
              | mutated_plans() | spliced_text(PLAN_TEXT))

CONFIG = tomllib.loads(default_text())


@st.composite
def mutated_configs(draw: st.DrawFn) -> str:
    data: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 4))):
        section = draw(st.sampled_from(sorted(CONFIG)) | st.text(max_size=8))
        keys = sorted(CONFIG.get(section, {})) or ["x"]
        key = draw(st.sampled_from(keys) | KEYS)
        value = draw(VALUES | st.sampled_from(["America", "Europe/Berlin", "UTC", "../x", "08:00",
                                                "24:00", "monday", "mon"])
                     | st.lists(st.sampled_from(["monday", "fri", "sundays", "x"]), max_size=3))
        if draw(st.integers(0, 6)) == 0:
            data[section] = value
        else:
            table = data.setdefault(section, {})
            if isinstance(table, dict):
                table[key] = value
    return toml_document(data)


CONFIG_FILES = mutated_configs() | spliced_text(default_text())


def answer(run: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run()
    return code, out.getvalue(), err.getvalue()


def check(code: int, err: str, name: str) -> None:
    assert code in (0, 2), (code, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and len(lines[0]) <= 200, err
        assert name in lines[0], err


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@fuzz(1200)
@given(text=PLAN_FILES)
def test_any_plan_file_is_run_or_one_line_and_exit_2(workdir: Path, monkeypatch, text: str) -> None:
    monkeypatch.chdir(workdir)
    Path("plan.toml").write_text(text, encoding="utf-8")
    code, out, err = answer(lambda: main(["show", "--plan-file", "plan.toml"]))
    check(code, err, "plan.toml")
    assert code == 2 or out.count("\n") > 3


@fuzz(900)
@given(text=CONFIG_FILES)
def test_any_reminder_settings_file_is_used_or_one_line_and_exit_2(workdir: Path, monkeypatch,
                                                                   text: str) -> None:
    monkeypatch.chdir(workdir)
    Path("remind.toml").write_text(text, encoding="utf-8")
    code, out, err = answer(lambda: remind.main(["--config", "remind.toml", "--next", "2"],
                                                now=lambda zone: NOW.astimezone(zone)))
    check(code, err, "remind.toml")


@fuzz(300)
@given(raw=st.binary(max_size=200))
def test_any_bytes_as_a_plan_file_are_one_line(workdir: Path, monkeypatch, raw: bytes) -> None:
    monkeypatch.chdir(workdir)
    Path("plan.toml").write_bytes(raw)
    code, _, err = answer(lambda: main(["show", "--plan-file", "plan.toml"]))
    check(code, err, "plan.toml")


@pytest.mark.parametrize("text", [
    '[[exercises]]\nexercise = "squat"\nsets = 1e400\n',
    'name = "x"\ntitle = "y"\nexercises = "' + "\\u0000" * 50 + '"\n',
    "a = " + "{b = " * 600 + "1" + "}" * 600 + "\n",
    PLAN_TEXT.replace("[[exercises]]", "[exercises]", 1),
], ids=["huge-float", "nul-escapes", "nested-tables", "table-not-list"])
def test_generated_cases_also_hold_in_a_real_subprocess(tmp_path: Path, text: str) -> None:
    (tmp_path / "plan.toml").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "timer", "show", "--plan-file", "plan.toml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30,
                          env={**os.environ, "LEGCOACH_HOME": str(tmp_path / "home")})
    check(done.returncode, done.stderr, "plan.toml")
    assert "Traceback" not in done.stderr
