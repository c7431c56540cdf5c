"""The SDK's serializer, minus its per-request waste.

``ask_sdk_core.serialize.DefaultSerializer.deserialize`` takes JSON text: the
endpoint has already parsed the body (to verify the timestamp and check the
envelope), so :meth:`EnvelopeSerializer.deserialize_value` takes the parsed
value instead. On the way it resolves each model class by name once (the SDK
imports it again for every object of every request) and reads ISO 8601
timestamps with ``datetime.fromisoformat`` (the SDK uses dateutil's general
parser, about 20 µs a stamp), falling back to the SDK for anything else;
and it fills a model from a JSON object in one pass over the object's keys,
with each model class's field table built once.
tests/test_serialize.py checks that the result equals the SDK's own on real
envelopes and on Alexa's timestamp formats.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

# DefaultSerializer's private (name-mangled) methods that this class builds on
# or overrides; tests/test_serialize.py pins their behaviour. Should a later
# SDK rename them, the overrides are simply never called and
# deserialize_value falls back to the public JSON-text path.
_sdk_walk: Any = getattr(DefaultSerializer, "_DefaultSerializer__deserialize", None)
_sdk_load_class: Any = getattr(DefaultSerializer, "_DefaultSerializer__load_class_from_name", None)
_sdk_datetime: Any = getattr(DefaultSerializer, "_DefaultSerializer__deserialize_datetime", None)
_sdk_model: Any = getattr(DefaultSerializer, "_DefaultSerializer__deserialize_model", None)
_sdk_subclass: Any = getattr(DefaultSerializer, "_DefaultSerializer__get_obj_by_discriminator", None)

#: A model class's fields: payload key -> (attribute name, declared type).
Fields = dict[str, tuple[str, Any]]


class EnvelopeSerializer(DefaultSerializer):  # type: ignore[misc]
    """``DefaultSerializer`` that also deserialises already-parsed JSON values."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, Any] = {}
        self._fields: dict[type, Fields] = {}

    def deserialize_value(self, value: Any, obj_type: Any) -> Any:
        """What ``deserialize(json.dumps(value), obj_type)`` answers, without the
        JSON round trip. Raises the SDK's SerializationException alike."""
        if value is None:
            return None
        if _sdk_walk is None:
            return self.deserialize(json.dumps(value), obj_type)
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
            for key in extra:  # undeclared keys are kept as they are, after the fields
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


_SERIALIZER = EnvelopeSerializer()


def invoke(skill: CustomSkill, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Run ``skill`` on one request envelope (a JSON value); the response as JSON value."""
    envelope = _SERIALIZER.deserialize_value(event, RequestEnvelope)
    result = skill.invoke(request_envelope=envelope, context=context)
    serialized = _SERIALIZER.serialize(result)
    assert isinstance(serialized, dict)
    return serialized
