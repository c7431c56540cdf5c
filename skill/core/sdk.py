"""Every use of ask-sdk-core's private internals, in one module.

pyproject.toml pins ask-sdk-core to the versions these were checked
against (``>=1.19,<1.20``); tests/test_sdk.py pins their behaviour and runs
the fallbacks. Should a later SDK rename a private name, each piece falls
back to the SDK's public API instead of failing.

**The serializer.** ``DefaultSerializer.deserialize`` takes JSON text: the
endpoint has already parsed the body (to verify the timestamp and check the
envelope), so :meth:`FastEnvelopeSerializer.deserialize_value` takes the
parsed value instead. On the way it resolves each model class by name once
(the SDK imports it again for every object of every request) and reads ISO
8601 timestamps with ``datetime.fromisoformat`` (the SDK uses dateutil's
general parser, about 20 µs a stamp), falling back to the SDK for anything
else; and it fills a model from a JSON object in one pass over the object's
keys, with each model class's field table built once. That takes an
envelope from about 1 ms to about 0.25 ms here: it pays on a self-hosted
server, where every request goes through it. :func:`make_serializer` gives
it when this SDK has every private helper it builds on
(:func:`private_helpers`), else :class:`EnvelopeSerializer`, the public path.

**The API client.** The SDK's ``DefaultApiClient`` sets no timeout;
:func:`timed_api_client` adds one through its private ``_resolve_method``,
or gives the plain client if that is gone.
"""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.services import ApiClient, ApiClientRequest

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

_HELPERS = ("deserialize", "load_class_from_name", "deserialize_datetime", "deserialize_model",
            "get_obj_by_discriminator")


def private_helpers(serializer: type = DefaultSerializer) -> dict[str, Any] | None:
    """``serializer``'s private (name-mangled) helpers that the fast path
    builds on or overrides, by short name; None if any one is missing."""
    found = {name: getattr(serializer, f"_DefaultSerializer__{name}", None) for name in _HELPERS}
    return found if all(helper is not None for helper in found.values()) else None


_SDK: dict[str, Any] = private_helpers() or {}
_sdk_walk: Any = _SDK.get("deserialize")
_sdk_load_class: Any = _SDK.get("load_class_from_name")
_sdk_datetime: Any = _SDK.get("deserialize_datetime")
_sdk_model: Any = _SDK.get("deserialize_model")
_sdk_subclass: Any = _SDK.get("get_obj_by_discriminator")

#: A model class's fields: payload key -> (attribute name, declared type).
Fields = dict[str, tuple[str, Any]]


class EnvelopeSerializer(DefaultSerializer):  # type: ignore[misc]
    """``DefaultSerializer`` that also deserialises already-parsed JSON values,
    through the SDK's public API only."""

    def deserialize_value(self, value: Any, obj_type: Any) -> Any:
        """What ``deserialize(json.dumps(value), obj_type)`` answers. Raises
        the SDK's SerializationException alike."""
        if value is None:
            return None
        return self.deserialize(json.dumps(value), obj_type)


class FastEnvelopeSerializer(EnvelopeSerializer):
    """:class:`EnvelopeSerializer` without the JSON round trip, over the SDK's
    private helpers; only :func:`make_serializer` decides to use it."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, Any] = {}
        self._fields: dict[type, Fields] = {}

    def deserialize_value(self, value: Any, obj_type: Any) -> Any:
        if value is None:
            return None
        # The SDK keeps its model walk private (name-mangled); the public
        # deserialize() is json.loads followed by exactly this call.
        return _sdk_walk(self, value, obj_type)

    # Overrides of DefaultSerializer's private helpers (name-mangled, so these
    # spelled-out names are what its methods look up on the instance).

    def _DefaultSerializer__load_class_from_name(self, class_name: str) -> Any:
        resolved = self._classes.get(class_name)
        if resolved is None:
            resolved = _sdk_load_class(self, class_name)
            self._classes[class_name] = resolved
        return resolved

    def _DefaultSerializer__deserialize_datetime(self, payload: Any, obj_type: Any) -> Any:
        if isinstance(payload, str) and "T" in payload:
            try:
                moment = datetime.fromisoformat(payload)
            except ValueError:
                pass
            else:
                return moment.date() if obj_type is date else moment
        return _sdk_datetime(self, payload, obj_type)

    def _DefaultSerializer__deserialize_model(self, payload: Any, obj_type: Any) -> Any:
        if not isinstance(payload, dict) or not isinstance(obj_type, type) or issubclass(obj_type, Enum):
            return _sdk_model(self, payload, obj_type)
        if not hasattr(obj_type, "deserialized_types"):
            return payload
        try:
            if hasattr(obj_type, "get_real_child_model"):
                obj_type = _sdk_subclass(self, payload, obj_type)
            fields = self._fields.get(obj_type)
            if fields is None:
                fields = self._fields[obj_type] = _fields_of(obj_type)
            model = obj_type()
            extra = []
            for key, value in payload.items():
                field = fields.get(key)
                if field is None:
                    extra.append(key)
                else:
                    setattr(model, field[0], _sdk_walk(self, value, field[1]))
            for key in extra:  # undeclared keys are kept as they are, after the fields,
                if not key.startswith("_") and not hasattr(obj_type, key):  # unless unsafe
                    setattr(model, key, payload[key])
            return model
        except Exception as exc:
            raise SerializationException(str(exc)) from exc


def _fields_of(model_class: Any) -> Fields:
    """The SDK's reading of ``attribute_map`` and ``deserialized_types``."""
    types = model_class.deserialized_types
    names = dict(getattr(model_class, "attribute_map", {}))
    names.update({name: name for name in types if name not in names})
    return {key: (name, types[name]) for name, key in names.items()}


def make_serializer() -> EnvelopeSerializer:
    """The fast serializer if this SDK has every private helper it needs, else the public one."""
    return FastEnvelopeSerializer() if _SDK else EnvelopeSerializer()


_SERIALIZER = make_serializer()


def invoke(skill: CustomSkill, event: dict[str, Any], context: Any = None,
           serializer: EnvelopeSerializer = _SERIALIZER) -> dict[str, Any]:
    """Run ``skill`` on one request envelope (a JSON value); the response as JSON value."""
    envelope = serializer.deserialize_value(event, RequestEnvelope)
    result = skill.invoke(request_envelope=envelope, context=context)
    serialized = serializer.serialize(result)
    assert isinstance(serialized, dict)
    return serialized


def timed_api_client(timeout: float | tuple[float, float], client: Any = None) -> ApiClient:
    """``client`` (the SDK's DefaultApiClient) with ``timeout`` on every call
    (seconds to connect, seconds to wait for the answer); without a timeout
    if the SDK no longer has the private ``_resolve_method`` it goes through."""
    if client is None:
        # Here, not at the top: ask_sdk_core.api_client imports requests
        # (about 45 ms), which only requests that call an Alexa API need.
        from ask_sdk_core.api_client import DefaultApiClient

        client = DefaultApiClient
    if not callable(getattr(client, "_resolve_method", None)):
        plain: ApiClient = client()
        return plain

    class TimedApiClient(client):  # type: ignore[misc, valid-type]
        # _resolve_method maps the request's method to the requests function
        # that DefaultApiClient.invoke calls; the only place to add a timeout.
        def _resolve_method(self, request: ApiClientRequest) -> Any:
            return functools.partial(super()._resolve_method(request), timeout=timeout)

    return TimedApiClient()
