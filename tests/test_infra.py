"""The deploy files are valid: skill package, interaction models, SAM, gunicorn, systemd."""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
PACKAGE = INFRA / "skill-package"
MODELS = PACKAGE / "interactionModels" / "custom"
LOCALES = {"en-US", "en-GB", "en-CA", "en-AU", "en-IN"}
DISCLAIMER = "not a substitute for professional medical advice"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"

# The skill manifest's category enumeration.
CATEGORIES = frozenset("""
ALARMS_AND_CLOCKS ASTROLOGY BUSINESS_AND_FINANCE CALCULATORS CALENDARS_AND_REMINDERS
CHILDRENS_EDUCATION_AND_REFERENCE CHILDRENS_GAMES CHILDRENS_MUSIC_AND_AUDIO
CHILDRENS_NOVELTY_AND_HUMOR COMMUNICATION CONNECTED_CAR COOKING_AND_RECIPE
CURRENCY_GUIDES_AND_CONVERTERS DATING DELIVERY_AND_TAKEOUT DEVICE_TRACKING
EDUCATION_AND_REFERENCE EVENT_FINDERS EXERCISE_AND_WORKOUT FASHION_AND_STYLE FLIGHT_FINDERS
FRIENDS_AND_FAMILY GAME_INFO_AND_ACCESSORY GAMES HEALTH_AND_FITNESS HOTEL_FINDERS
KNOWLEDGE_AND_TRIVIA MOVIE_AND_TV_KNOWLEDGE_AND_TRIVIA MOVIE_INFO_AND_REVIEWS MOVIE_SHOWTIMES
MUSIC_AND_AUDIO_ACCESSORIES MUSIC_AND_AUDIO_KNOWLEDGE_AND_TRIVIA
MUSIC_INFO_REVIEWS_AND_RECOGNITION_SERVICE NAVIGATION_AND_TRIP_PLANNER NEWS NOVELTY
ORGANIZERS_AND_ASSISTANTS PETS_AND_ANIMAL PODCAST PUBLIC_TRANSPORTATION
RELIGION_AND_SPIRITUALITY RESTAURANT_BOOKING_INFO_AND_REVIEW SCHOOLS SCORE_KEEPING
SELF_IMPROVEMENT SHOPPING SMART_HOME SOCIAL_NETWORKING SPORTS_GAMES SPORTS_NEWS
STREAMING_SERVICE TAXI_AND_RIDESHARING TO_DO_LISTS_AND_NOTES TRANSLATORS TV_GUIDES
UNIT_CONVERTERS WEATHER WINE_AND_BEVERAGE ZIP_CODE_LOOKUP
""".split())

sys.path.insert(0, str(INFRA))
import set_endpoint  # noqa: E402


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = load_json(PACKAGE / "skill.json")["manifest"]
    return manifest


def model_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(MODELS.glob("*.json"))}


@pytest.fixture(scope="module")
def models() -> dict[str, dict[str, Any]]:
    files = model_files()
    if not files:
        pytest.skip(f"no interaction models in {MODELS.relative_to(ROOT)} yet: "
                    "generate them with `python -m skill model`")
    return {locale: load_json(path)["interactionModel"]["languageModel"]
            for locale, path in files.items()}


# --- interaction model rules ------------------------------------------------

BANNED_IN_INVOCATION = {"alexa", "amazon", "echo", "computer", "skill", "app",
                        "ask", "open", "launch", "tell", "load", "begin", "enable"}
CUSTOM_NAME = re.compile(r"[A-Za-z][A-Za-z_]*")
BUILTIN_INTENT = re.compile(r"AMAZON\.[A-Za-z]+")
SLOT_REF = re.compile(r"\{([^{}]*)\}")
SAMPLE_TEXT = re.compile(r"[A-Za-z'. ]+")


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def invocation_problems(name: str) -> list[str]:
    problems = []
    if name != name.lower() or not re.fullmatch(r"[a-z]+(?: [a-z]+)+", name):
        problems.append(f"invocation name {name!r}: lowercase letters, two words or more")
    if banned := BANNED_IN_INVOCATION & set(name.split()):
        problems.append(f"invocation name {name!r} contains {sorted(banned)}")
    return problems


def sample_problems(intent: str, sample: str, slots: dict[str, str]) -> list[str]:
    where, problems = f"{intent}: {sample!r}", []
    refs = SLOT_REF.findall(sample)
    text = SLOT_REF.sub(" ", sample)
    if text.strip() and not SAMPLE_TEXT.fullmatch(text):
        problems.append(f"{where} has characters other than letters, apostrophes, "
                        "periods and spaces")
    problems += [f"{where} uses undeclared slot {{{ref}}}" for ref in refs if ref not in slots]
    if any(slots.get(ref) == "AMAZON.SearchQuery" for ref in refs):
        if not text.strip():
            problems.append(f"{where}: a SearchQuery slot needs a carrier phrase")
        if len(refs) > 1:
            problems.append(f"{where}: a SearchQuery sample can hold no other slot")
    return problems


def intent_problems(intent: dict[str, Any], types: set[str]) -> list[str]:
    name, problems = intent.get("name", ""), []
    if not (BUILTIN_INTENT.fullmatch(name) or CUSTOM_NAME.fullmatch(name)):
        problems.append(f"intent name {name!r} is not letters and underscores")
    slots = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
    for slot, kind in slots.items():
        if not CUSTOM_NAME.fullmatch(slot):
            problems.append(f"{name}: slot name {slot!r} is not letters and underscores")
        if not kind.startswith("AMAZON.") and kind not in types:
            problems.append(f"{name}: slot {slot} has undefined type {kind}")
    if not name.startswith("AMAZON.") and not intent.get("samples"):
        problems.append(f"{name} has no samples")
    for sample in intent.get("samples", []):
        problems += sample_problems(name, sample, slots)
    return problems


def model_problems(model: dict[str, Any]) -> list[str]:
    """Every reason Alexa's model build would refuse ``model`` (languageModel)."""
    problems = invocation_problems(model.get("invocationName", ""))
    types = {t["name"] for t in model.get("types", [])}
    owner: dict[str, str] = {}
    for intent in model.get("intents", []):
        problems += intent_problems(intent, types)
        for sample in intent.get("samples", []):
            key = normalise(sample)
            if key in owner:
                problems.append(f"{intent['name']}: {sample!r} duplicates a sample of "
                                f"{owner[key]}")
            owner[key] = intent["name"]
    return problems


GOOD_MODEL = {
    "invocationName": "leg coach",
    "intents": [
        {"name": "QuestionIntent", "slots": [{"name": "query", "type": "AMAZON.SearchQuery"}],
         "samples": ["question {query}", "what's {query}"]},
        {"name": "MoreIntent", "samples": ["tell me more", "more please"]},
        {"name": "AMAZON.HelpIntent", "samples": []},
    ],
    "types": [],
}


def test_model_checker_accepts_a_good_model() -> None:
    assert model_problems(GOOD_MODEL) == []


def with_change(path: list[Any], value: Any) -> dict[str, Any]:
    model = json.loads(json.dumps(GOOD_MODEL))
    target = model
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return model


BAD_MODELS = {
    "capitals-in-invocation": (["invocationName"], "Leg Coach", "lowercase"),
    "one-word-invocation": (["invocationName"], "coach", "two words"),
    "digit-in-invocation": (["invocationName"], "leg coach 2", "lowercase"),
    "skill-in-invocation": (["invocationName"], "leg coach skill", "contains"),
    "wake-word-in-invocation": (["invocationName"], "alexa leg coach", "contains"),
    "digit-in-sample": (["intents", 1, "samples"], ["tell me 3 things"], "characters"),
    "punctuation-in-sample": (["intents", 1, "samples"], ["tell me more!"], "characters"),
    "undeclared-slot": (["intents", 1, "samples"], ["tell me {topic}"], "undeclared slot"),
    "slot-alone": (["intents", 0, "samples"], ["{query}"], "carrier phrase"),
    "search-query-with-another-slot": (["intents", 0, "slots"], [
        {"name": "query", "type": "AMAZON.SearchQuery"},
        {"name": "what", "type": "AMAZON.SearchQuery"}], None),
    "duplicate-across-intents": (["intents", 0, "samples"],
                                 ["question {query}", "Tell  Me More"], "duplicates"),
    "duplicate-in-intent": (["intents", 1, "samples"], ["Tell me more", "tell me more"],
                            "duplicates"),
    "bad-intent-name": (["intents", 1, "name"], "More-Intent", "intent name"),
    "custom-intent-without-samples": (["intents", 1, "samples"], [], "no samples"),
    "undefined-slot-type": (["intents", 0, "slots"], [{"name": "query", "type": "Topic"}],
                            "undefined type"),
    "bad-slot-name": (["intents", 0, "slots"],
                      [{"name": "the query", "type": "AMAZON.SearchQuery"}], "slot name"),
}


@pytest.mark.parametrize(("path", "value", "problem"), list(BAD_MODELS.values()),
                         ids=list(BAD_MODELS))
def test_model_checker_finds_each_build_error(path: list[Any], value: Any,
                                              problem: str | None) -> None:
    model = with_change(path, value)
    if problem is None:  # a SearchQuery sample holding a second slot
        model["intents"][0]["samples"].append("ask {query} about {what}")
        problem = "no other slot"
    problems = model_problems(model)
    assert any(problem in p for p in problems), problems


def test_model_checker_allows_periods_and_apostrophes() -> None:
    model = with_change(["intents", 1, "samples"], ["remind me at seven a.m.", "what's next"])
    assert model_problems(model) == []


def test_every_locale_model_obeys_the_build_rules(models: dict[str, dict[str, Any]]) -> None:
    for locale, model in models.items():
        assert model_problems(model) == [], locale


def test_every_manifest_locale_has_a_model_and_back(manifest: dict[str, Any],
                                                    models: dict[str, dict[str, Any]]) -> None:
    assert set(models) == set(manifest["publishingInformation"]["locales"]) == LOCALES


# --- skill manifest ----------------------------------------------------------

def test_manifest_lists_the_five_english_locales(manifest: dict[str, Any]) -> None:
    info = manifest["publishingInformation"]
    assert manifest["manifestVersion"] == "1.0"
    assert set(info["locales"]) == LOCALES
    assert info["category"] in CATEGORIES and info["category"] == "HEALTH_AND_FITNESS"
    assert info["isAvailableWorldwide"] is False
    assert set(info["distributionCountries"]) == {locale[-2:] for locale in LOCALES}
    assert info["testingInstructions"].strip()


def test_manifest_declares_the_audio_player_interface_streams_need(manifest: dict[str, Any]) -> None:
    interfaces = manifest["apis"]["custom"].get("interfaces", [])
    assert {"type": "AUDIO_PLAYER"} in interfaces


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_store_listing_is_complete_with_the_disclaimer(manifest: dict[str, Any],
                                                       locale: str) -> None:
    listing = manifest["publishingInformation"]["locales"][locale]
    assert listing["name"] == "Leg Coach"
    assert 0 < len(listing["summary"]) <= 160
    assert 0 < len(listing["description"]) <= 4000
    assert DISCLAIMER in listing["description"].lower()
    assert len(listing["examplePhrases"]) == 3
    assert 0 < len(listing["keywords"]) <= 30
    assert all(isinstance(k, str) and k.strip() for k in listing["keywords"])


def test_privacy_answers_and_reminders_permission(manifest: dict[str, Any]) -> None:
    assert manifest["privacyAndCompliance"] == {
        "allowsPurchases": False, "usesPersonalInfo": False, "isChildDirected": False,
        "isExportCompliant": True, "containsAds": False}
    assert {"name": "alexa::alerts:reminders:skill:readwrite"} in manifest["permissions"]


def test_endpoint_is_a_lambda_arn_or_trusted_https(manifest: dict[str, Any]) -> None:
    endpoint = manifest["apis"]["custom"]["endpoint"]
    assert set_endpoint.endpoint_for(endpoint["uri"],
                                     endpoint.get("sslCertificateType", "Trusted")) == endpoint


def test_ask_cli_resources_point_at_the_package() -> None:
    resources = load_json(INFRA / "ask-resources.json")
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    for profile in resources["profiles"].values():
        assert (INFRA / profile["skillMetadata"]["src"] / "skill.json").is_file()


def sample_pattern(sample: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^{}]+\})", normalise(sample))
    return re.compile("".join(".+" if p.startswith("{") else re.escape(p) for p in parts))


def matches_a_sample(utterance: str, model: dict[str, Any]) -> bool:
    text = normalise(utterance.rstrip(".?!"))
    return any(sample_pattern(sample).fullmatch(text)
               for intent in model["intents"] for sample in intent.get("samples", []))


def test_example_phrases_invoke_real_utterances(manifest: dict[str, Any],
                                                models: dict[str, dict[str, Any]]) -> None:
    for locale, listing in manifest["publishingInformation"]["locales"].items():
        model = models[locale]
        name = model["invocationName"]
        first, *others = listing["examplePhrases"]
        assert normalise(first.rstrip(".")) in (f"alexa, open {name}", f"alexa, ask {name}")
        for phrase in others:
            prefix = f"alexa, ask {name} "
            assert normalise(phrase).startswith(prefix), phrase
            assert matches_a_sample(normalise(phrase)[len(prefix):], model), phrase


def test_phrases_quoted_in_the_listing_are_real_utterances(
        manifest: dict[str, Any], models: dict[str, dict[str, Any]]) -> None:
    info = manifest["publishingInformation"]
    for locale, listing in info["locales"].items():
        model = models[locale]
        launch = f"alexa, open {model['invocationName']}"
        for text in (listing["description"], info["testingInstructions"]):
            for quoted in re.findall(r'"([^"]+)"', text):
                assert normalise(quoted) == launch or matches_a_sample(quoted, model), quoted


# --- set_endpoint -------------------------------------------------------------

@pytest.fixture
def manifest_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "skill.json"
    shutil.copyfile(PACKAGE / "skill.json", copy)
    return copy


def test_set_endpoint_writes_a_lambda_arn(manifest_copy: Path) -> None:
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:leg-coach-SkillFunction-AbC12"
    assert set_endpoint.main([arn, "--manifest", str(manifest_copy)]) == 0
    assert load_json(manifest_copy)["manifest"]["apis"]["custom"]["endpoint"] == {"uri": arn}


def test_set_endpoint_writes_https_with_its_certificate_type(manifest_copy: Path) -> None:
    url = "https://coach.example.com/alexa"
    assert set_endpoint.main([url, "--certificate", "Wildcard",
                              "--manifest", str(manifest_copy)]) == 0
    endpoint = load_json(manifest_copy)["manifest"]["apis"]["custom"]["endpoint"]
    assert endpoint == {"uri": url, "sslCertificateType": "Wildcard"}


def test_set_endpoint_none_removes_it(manifest_copy: Path) -> None:
    assert set_endpoint.main(["none", "--manifest", str(manifest_copy)]) == 0
    assert "endpoint" not in load_json(manifest_copy)["manifest"]["apis"]["custom"]


@pytest.mark.parametrize("target", ["http://coach.example.com/alexa",
                                    "https://coach.example.com:8443/alexa",
                                    "arn:aws:lambda:us-east-1:12345:function:x", "leg-coach"])
def test_set_endpoint_refuses_what_alexa_cannot_call(manifest_copy: Path, target: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = manifest_copy.read_text()
    assert set_endpoint.main([target, "--manifest", str(manifest_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("set_endpoint: ") and err.count("\n") == 1
    assert manifest_copy.read_text() == before


# --- SAM template ----------------------------------------------------------------

def test_template_passes_cfn_lint() -> None:
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(INFRA / "template.yaml", ManualArgs(include_checks=["I"]))
    assert [str(m) for m in matches] == []


class NoAwsPolicyLoader:
    """Managed-policy lookups would call IAM: this template needs none."""

    def load(self) -> dict[str, str]:
        raise AssertionError("the transform asked AWS for managed policies")


@pytest.fixture(scope="module")
def cloudformation() -> dict[str, Any]:
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse((INFRA / "template.yaml").read_text())
    function = template["Resources"]["SkillFunction"]["Properties"]
    assert function["CodeUri"] == "../dist/leg-coach-lambda.zip"
    function["CodeUri"] = "s3://leg-coach-artifacts/leg-coach-lambda.zip"  # as `sam package` does
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_CONFIG_FILE", "/nonexistent")
        result: dict[str, Any] = transform(template, {"SkillId": SKILL_ID}, NoAwsPolicyLoader())
    return result


def resources_of(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def test_function_fits_alexas_time_limit(cloudformation: dict[str, Any]) -> None:
    (function,) = resources_of(cloudformation, "AWS::Lambda::Function")
    props = function["Properties"]
    assert props["Runtime"] in ("python3.12", "python3.13")
    assert props["Handler"] == "skill.endpoint.lambda_function.handler"
    assert props["MemorySize"] == 512 and props["Timeout"] < 8
    variables = props["Environment"]["Variables"]
    assert variables["LEGCOACH_STORE"] == {"Fn::Sub": "dynamodb:${UsersTable}"}
    assert variables["LEGCOACH_SKILL_ID"] == {"Ref": "SkillId"}


def test_only_the_skill_may_invoke_the_function(cloudformation: dict[str, Any]) -> None:
    (permission,) = resources_of(cloudformation, "AWS::Lambda::Permission")
    props = permission["Properties"]
    assert props["Principal"] == "alexa-appkit.amazon.com"
    assert props["Action"] == "lambda:InvokeFunction"
    assert props["EventSourceToken"] == {"Ref": "SkillId"}


def test_table_matches_the_persistence_adapter(cloudformation: dict[str, Any]) -> None:
    (table,) = resources_of(cloudformation, "AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]


def test_role_reaches_only_the_table_items_and_reads_the_audio(cloudformation: dict[str, Any]) -> None:
    (role,) = resources_of(cloudformation, "AWS::IAM::Role")
    statements = [s for policy in role["Properties"]["Policies"]
                  for s in policy["PolicyDocument"]["Statement"]]
    assert statements == [{
        "Sid": "UserAttributes", "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                   "dynamodb:DeleteItem"],
        "Resource": {"Fn::GetAtt": ["UsersTable", "Arn"]}}, {
        "Sid": "StreamAudio", "Effect": "Allow", "Action": ["s3:GetObject"],
        "Resource": {"Fn::Sub": "${AudioBucket.Arn}/audio/*"}}]
    assert role["Properties"]["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]


def test_audio_bucket_is_private_encrypted_and_https_only(cloudformation: dict[str, Any]) -> None:
    (bucket,) = resources_of(cloudformation, "AWS::S3::Bucket")
    props = bucket["Properties"]
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    (policy,) = resources_of(cloudformation, "AWS::S3::BucketPolicy")
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (function,) = resources_of(cloudformation, "AWS::Lambda::Function")
    assert function["Properties"]["Environment"]["Variables"]["LEGCOACH_AUDIO_BUCKET"] == {"Ref": "AudioBucket"}


def test_stack_outputs_the_function_arn(cloudformation: dict[str, Any]) -> None:
    outputs = cloudformation["Outputs"]
    assert outputs["SkillFunctionArn"]["Value"] == {"Fn::GetAtt": ["SkillFunction", "Arn"]}


# --- gunicorn ---------------------------------------------------------------------

def gunicorn_settings(**env: str) -> dict[str, Any]:
    names = ("LEGCOACH_BIND", "LEGCOACH_WORKERS", "LEGCOACH_THREADS", "FORWARDED_ALLOW_IPS")
    with pytest.MonkeyPatch.context() as patch:
        for name in names:
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        return runpy.run_path(str(INFRA / "gunicorn.conf.py"))


def test_gunicorn_defaults_serve_the_app_on_loopback() -> None:
    conf = gunicorn_settings()
    assert conf["wsgi_app"] == "skill.endpoint.app:create_app()"
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["timeout"] < 8 and conf["graceful_timeout"] >= conf["timeout"]
    assert conf["workers"] == min(2 * (os.cpu_count() or 1) + 1, 9)
    assert conf["threads"] >= 2 and conf["worker_class"] == "gthread"
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert conf["accesslog"] == "-"


def test_gunicorn_settings_follow_the_environment() -> None:
    conf = gunicorn_settings(LEGCOACH_BIND="0.0.0.0:9000", LEGCOACH_WORKERS="3",
                             LEGCOACH_THREADS="8", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert (conf["bind"], conf["workers"], conf["threads"], conf["forwarded_allow_ips"]) \
        == (["0.0.0.0:9000"], 3, 8, "10.0.0.5")


def test_each_gunicorn_worker_freezes_its_app_once_built(monkeypatch: pytest.MonkeyPatch) -> None:
    import skill.endpoint.app

    frozen: list[bool] = []
    monkeypatch.setattr(skill.endpoint.app, "freeze_for_serving", lambda: frozen.append(True))
    gunicorn_settings()["post_worker_init"](object())
    assert frozen == [True]


def test_access_log_lines_are_json_whatever_the_client_sends() -> None:
    conf = gunicorn_settings()
    atoms = {"t": "[01/Jan/2025:00:00:00 +0000]", "h": "127.0.0.1", "m": "POST",
             "U": "/alexa", "s": "200", "b": "123", "M": 4,
             "a": 'Evil "agent" \\ with\ttabs\n', "{x-forwarded-for}i": "1.2.3.4"}
    line = conf["access_log_format"] % conf["JsonAtoms"](atoms)
    record = json.loads(line)
    assert record["agent"] == atoms["a"] and record["path"] == "/alexa"
    assert record["forwarded_for"] == "1.2.3.4" and record["ms"] == "4"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def gunicorn_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    pytest.importorskip("skill.endpoint.app")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    port = free_port()
    env = {**os.environ, "LEGCOACH_BIND": f"127.0.0.1:{port}", "LEGCOACH_WORKERS": "1",
           "LEGCOACH_THREADS": "2", "LEGCOACH_HOME": str(tmp_path), "HOME": str(tmp_path),
           "LEGCOACH_STORE": f"sqlite:{tmp_path / 'skill.db'}", "LEGCOACH_SKILL_ID": SKILL_ID}
    env.pop("LEGCOACH_CONTROL_SOCKET", None)
    # From the checkout, as the systemd unit runs it (WorkingDirectory).
    process = subprocess.Popen([str(gunicorn), "-c", str(INFRA / "gunicorn.conf.py")],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()


def wait_for(url: str, process: subprocess.Popen[str], seconds: float) -> int:
    """The status of GET ``url`` once the server answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.communicate(timeout=20)[0]
                raise AssertionError(f"gunicorn did not serve {url}:\n{output}") from None
            time.sleep(0.1)


def test_gunicorn_serves_healthz_and_refuses_unsigned_requests(
        gunicorn_server: tuple[str, subprocess.Popen[str]], tmp_path: Path) -> None:
    base, process = gunicorn_server
    assert wait_for(f"{base}/healthz", process, 30) == 200
    unsigned = urllib.request.Request(f"{base}/alexa", data=b'{"version": "1.0"}',
                                      headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=5)
    assert refused.value.code == 400
    refused.value.close()
    process.terminate()
    output, _ = process.communicate(timeout=20)
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    # Several workers write the log, so lines may come in either order; on a
    # busy machine wait_for may give up on a slow first /healthz and ask again.
    seen = [(r["method"], r["path"], r["status"]) for r in records]
    assert seen.count(("POST", "/alexa", "400")) == 1
    assert set(seen) == {("GET", "/healthz", "200"), ("POST", "/alexa", "400")}
    assert not (tmp_path / ".gunicorn").exists()  # no control socket left behind


# --- systemd ------------------------------------------------------------------------

def unit_entries() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for line in (INFRA / "leg-coach.service").read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def test_unit_runs_gunicorn_from_the_venv_and_restarts_on_failure() -> None:
    unit = unit_entries()
    assert unit["ExecStart"] == [
        "/opt/leg-coach/.venv/bin/gunicorn -c /opt/leg-coach/infra/gunicorn.conf.py"]
    assert unit["Restart"] == ["on-failure"]
    environment = dict(value.split("=", 1) for value in unit["Environment"])
    assert environment["LEGCOACH_HOME"] == "/var/lib/leg-coach"
    assert environment["LEGCOACH_SKILL_ID"].startswith("amzn1.ask.skill.")


def test_unit_is_hardened() -> None:
    unit = unit_entries()
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict",
                       "ProtectHome": "yes", "PrivateTmp": "yes", "DynamicUser": "yes",
                       "CapabilityBoundingSet": ""}.items():
        assert unit[key] == [value], key


def test_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = (INFRA / "leg-coach.service").read_text().replace("/opt/leg-coach", str(ROOT))
    (tmp_path / "leg-coach.service").write_text(unit)
    result = subprocess.run([analyze, "verify", str(tmp_path / "leg-coach.service")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout + result.stderr == ""
