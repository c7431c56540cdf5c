"""The DynamoDB attribute store, for the skill on Lambda.

Kept apart from :mod:`skill.store.sqlite` so that neither boto3 nor this
module is imported unless ``LEGCOACH_STORE=dynamodb:TABLE`` asks for it:
the default SQLite store needs neither.

Items keep ask-sdk's ``DynamoDbAdapter`` layout plus a ``version`` number;
an update writes only if the version is still the one it read, and retries
otherwise. Unreadable records reset with a warning on the
``skill.store`` logger, as in SQLite.
"""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import PersistenceException

from skill.store.attributes import (
    STORE_ENV,
    Attributes,
    AttributeStore,
    Updater,
    decode_attributes,
    encode_attributes,
    warn_reset,
)

if TYPE_CHECKING:
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter
    from ask_sdk_model.request_envelope import RequestEnvelope

VERSION_FIELD = "version"


class DynamoDbStore(AttributeStore):
    """ask-sdk's DynamoDbAdapter with a versioned, conditional update.

    The official adapter names the table, key, attribute and user key;
    items keep its layout (``{id: <user id>, attributes: {...}}``) plus a
    ``version`` number bumped by every write, so an update that read an
    older version retries. Numbers come back as int/float, as from SQLite.
    Calls go through ``client``, a low-level DynamoDB client (thread-safe,
    unlike the boto3 resource the official adapter holds).
    """

    def __init__(self, adapter: DynamoDbAdapter, client: Any, *,
                 max_attempts: int = 100) -> None:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        self.adapter = adapter
        self.max_attempts = max_attempts
        self._client = client
        self._ser, self._de = TypeSerializer(), TypeDeserializer()

    def _key(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = self.adapter.partition_keygen(request_envelope)
        return {self.adapter.partition_key_name: {"S": key}}

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, operation)(TableName=self.adapter.table_name, **kwargs)
        except Exception as e:
            if _error_code(e) == "ConditionalCheckFailedException":
                raise
            raise PersistenceException(
                f"DynamoDB {operation} on table {self.adapter.table_name} failed: "
                f"{type(e).__name__}: {e}") from e

    def _read(self, key: dict[str, Any]) -> tuple[Attributes | None, Any]:
        """(attributes, stored version or None); attributes None = unreadable."""
        item = self._call("get_item", Key=key, ConsistentRead=True).get("Item")
        if item is None:
            return {}, None
        version = item.get(VERSION_FIELD)
        raw = item.get(self.adapter.attribute_name)
        attributes = None
        if isinstance(raw, dict) and "M" in raw:
            try:  # sets and binaries have no JSON form: unreadable too
                attributes = decode_attributes(encode_attributes(self._de.deserialize(raw)))
            except PersistenceException:
                pass
        if attributes is None:
            warn_reset(key[self.adapter.partition_key_name]["S"],
                       f"{self.adapter.attribute_name!r} is not a JSON-like map")
        return attributes, version

    def get_attributes(self, request_envelope: RequestEnvelope) -> Attributes:
        key = self._key(request_envelope)
        attributes, version = self._read(key)
        if attributes is None:
            condition, values = _version_condition(version)
            try:
                self._call("delete_item", Key=key, ConditionExpression=condition,
                           ExpressionAttributeNames={"#v": VERSION_FIELD}, **values)
            except Exception as e:  # rewritten meanwhile: nothing to reset
                if _error_code(e) != "ConditionalCheckFailedException":
                    raise
            return {}
        return attributes

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: Attributes) -> None:
        value = self._ser.serialize(json.loads(encode_attributes(attributes), parse_float=Decimal))
        self._call("update_item", Key=self._key(request_envelope),
                   UpdateExpression="SET #a = :a ADD #v :one",
                   ExpressionAttributeNames={"#a": self.adapter.attribute_name,
                                             "#v": VERSION_FIELD},
                   ExpressionAttributeValues={":a": value, ":one": {"N": "1"}})

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._call("delete_item", Key=self._key(request_envelope))

    def update_attributes(self, request_envelope: RequestEnvelope, fn: Updater) -> Attributes:
        key = self._key(request_envelope)
        for attempt in range(self.max_attempts):
            current, version = self._read(key)
            payload = encode_attributes(fn(current or {}))
            try:
                self._put_if_version(key, payload, version)
            except Exception as e:
                if _error_code(e) != "ConditionalCheckFailedException":
                    raise
                import random

                time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** attempt)))
                continue
            return decode_attributes(payload) or {}
        raise PersistenceException(
            f"gave up updating attributes after {self.max_attempts} conflicting writes")

    def _put_if_version(self, key: dict[str, Any], payload: str, version: Any) -> None:
        number = version.get("N") if isinstance(version, dict) else None
        item = {**key,
                self.adapter.attribute_name: self._ser.serialize(
                    json.loads(payload, parse_float=Decimal)),
                VERSION_FIELD: {"N": str(int(Decimal(number)) + 1 if number else 1)}}
        condition, values = _version_condition(version)
        self._call("put_item", Item=item, ConditionExpression=condition,
                   ExpressionAttributeNames={"#v": VERSION_FIELD}, **values)


def _version_condition(version: Any) -> tuple[str, dict[str, Any]]:
    """A condition true only while the item's version is still ``version``."""
    if version is None:
        return "attribute_not_exists(#v)", {}
    return "#v = :v", {"ExpressionAttributeValues": {":v": version}}


def _error_code(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code if isinstance(code, str) else None


def _aws_region() -> str:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        import boto3

        region = boto3.session.Session().region_name
    if not region:
        raise ValueError(
            f"{STORE_ENV}=dynamodb:... needs an AWS region: set AWS_REGION "
            "(Lambda sets it) or AWS_DEFAULT_REGION, or a region in ~/.aws/config")
    return region


def open_dynamodb_store(table_name: str) -> DynamoDbStore:
    """The store for ``table_name`` in the configured AWS region (see make_adapter)."""
    region = _aws_region()
    import boto3

    # ask_sdk_dynamodb.adapter evaluates boto3.resource("dynamodb") as a
    # default argument when the module is imported, from boto3's default
    # session, which reads AWS_DEFAULT_REGION but not AWS_REGION: give that
    # session the region first, then pass our own resource explicitly.
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session(region_name=region)
    session = boto3.DEFAULT_SESSION
    assert session is not None
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    adapter = DynamoDbAdapter(
        table_name, dynamodb_resource=session.resource("dynamodb", region_name=region))
    return DynamoDbStore(adapter, session.client("dynamodb", region_name=region))
