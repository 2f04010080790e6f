"""Drives the real aws-lambda-powertools idempotency utility against a DynamoDB endpoint (moto in the tests).

Usage: python powertools_driver.py SPEC.json  (or '-' for stdin)

SPEC: {"endpoint": URL, "table": NAME, "ops": [OP, ...]}; each OP prints one JSON line:
  {"op": "create_table", "key_attr": "id", "sort_key_attr": null, "stream": null | "NEW_AND_OLD_IMAGES" | ...}
  {"op": "invoke", "function": "payments-fn", "event": {...}, "mode": "ok" | "raise" | "hang" | "slow" | "slow_raise",
   "event_key_jmespath": "body" | null, "payload_validation_jmespath": "amount" | null,
   "expires_after_seconds": 3600, "remaining_ms": 60000, "sort_key_attr": null, "static_pk_value": null,
   "attrs": {"key_attr": ..., "expiry_attr": ..., ...}}
     mode "hang" prints {"hang": true} once the INPROGRESS record is saved, then sleeps (the test kills it);
     "slow" and "slow_raise" print {"started": true}, sleep "sleep" seconds (default 2), then return or raise.
  {"op": "inspect", "at_ms": null, ...the invoke's layout options}
     prints {"now_ms": T, "records": [{"key": ..., "status": "EXPIRED"|"INPROGRESS"|"COMPLETED", "takeover": bool}]}:
     Powertools' own DataRecord decoding and status at T (its clock frozen there), and whether a new request
     would take an INPROGRESS record over (in_progress_expiration < T).
  {"op": "put_items", "items": [DynamoDB-JSON item, ...]}
  {"op": "bulk_load", "count": N, "function": "bench-fn"}   (benchmark: N completed Powertools-shaped items)
  {"op": "scan", "segments": 1}                              (boto3 scan of the whole table; prints count, seconds)
"""
import json
import os
import sys
import time


class Context:
    """The bits of a Lambda context Powertools reads."""

    def __init__(self, function, remaining_ms):
        self.function_name = function
        self.memory_limit_in_mb = 128
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function}"
        self.aws_request_id = "req-" + str(time.time_ns())
        self._remaining = remaining_ms

    def get_remaining_time_in_millis(self):
        return self._remaining


def client(spec):
    import boto3
    return boto3.client("dynamodb", endpoint_url=spec["endpoint"], region_name="us-east-1")


def out(obj):
    print(json.dumps(obj), flush=True)


def create_table(spec, op):
    key = op.get("key_attr", "id")
    sort = op.get("sort_key_attr")
    schema = [{"AttributeName": key, "KeyType": "HASH"}]
    attrs = [{"AttributeName": key, "AttributeType": "S"}]
    if sort:
        schema.append({"AttributeName": sort, "KeyType": "RANGE"})
        attrs.append({"AttributeName": sort, "AttributeType": "S"})
    extra = {}
    if op.get("stream"):
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": op["stream"]}
    client(spec).create_table(TableName=spec["table"], KeySchema=schema, AttributeDefinitions=attrs,
                              BillingMode="PAY_PER_REQUEST", **extra)
    out({"created": spec["table"]})


def invoke(spec, op):
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = op.get("function", "payments-fn")
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer, IdempotencyConfig, idempotent)
    from aws_lambda_powertools.utilities.idempotency import exceptions

    attrs = dict(op.get("attrs") or {})
    if op.get("sort_key_attr"):
        attrs["sort_key_attr"] = op["sort_key_attr"]
    if op.get("static_pk_value"):
        attrs["static_pk_value"] = op["static_pk_value"]
    store = DynamoDBPersistenceLayer(table_name=spec["table"], boto3_client=client(spec), **attrs)
    config = IdempotencyConfig(
        event_key_jmespath=op.get("event_key_jmespath") or "",
        payload_validation_jmespath=op.get("payload_validation_jmespath") or "",
        expires_after_seconds=op.get("expires_after_seconds", 3600),
        use_local_cache=False)
    mode = op.get("mode", "ok")

    def handler(event, context):
        if mode in ("slow", "slow_raise"):
            out({"started": True})
            time.sleep(op.get("sleep", 2))
            if mode == "slow_raise":
                raise RuntimeError("card declined")
        if mode == "hang":
            out({"hang": True})
            time.sleep(3600)
        if mode == "raise":
            raise RuntimeError("card declined")
        return {"statusCode": 200, "body": f"charged {event.get('body')}", "executed_at": time.time()}

    handler.__module__ = op.get("module", "app")
    handler.__qualname__ = op.get("qualname", "handler")
    handler.__name__ = handler.__qualname__
    wrapped = idempotent(config=config, persistence_store=store)(handler)
    try:
        result = wrapped(op["event"], Context(os.environ["AWS_LAMBDA_FUNCTION_NAME"], op.get("remaining_ms", 60000)))
        out({"result": result})
    except exceptions.IdempotencyValidationError as e:
        out({"error": "IdempotencyValidationError", "message": str(e)})
    except exceptions.IdempotencyAlreadyInProgressError as e:
        out({"error": "IdempotencyAlreadyInProgressError", "message": str(e)})
    except RuntimeError as e:
        out({"error": "RuntimeError", "message": str(e)})


def persistence(spec, op):
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = op.get("function", "payments-fn")
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    attrs = dict(op.get("attrs") or {})
    if op.get("sort_key_attr"):
        attrs["sort_key_attr"] = op["sort_key_attr"]
    if op.get("static_pk_value"):
        attrs["static_pk_value"] = op["static_pk_value"]
    return DynamoDBPersistenceLayer(table_name=spec["table"], boto3_client=client(spec), **attrs)


def inspect(spec, op):
    import datetime as real
    import types
    from aws_lambda_powertools.utilities.idempotency.persistence import datarecord
    store = persistence(spec, op)
    now_ms = op.get("at_ms") or int(time.time() * 1000)
    frozen = real.datetime.fromtimestamp(now_ms / 1000)

    class Frozen(real.datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen

    datarecord.dt = types.SimpleNamespace(datetime=Frozen, timedelta=real.timedelta)
    records = []
    kwargs = {"TableName": spec["table"]}
    while True:
        page = client(spec).scan(**kwargs)
        for item in page["Items"]:
            rec = store._item_to_data_record(item)
            takeover = rec.in_progress_expiry_timestamp is not None and rec.in_progress_expiry_timestamp < now_ms
            records.append({"key": rec.sort_key or rec.idempotency_key, "status": rec.status,
                            "takeover": bool(rec.status == "INPROGRESS" and takeover)})
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    out({"now_ms": now_ms, "records": records})


def put_items(spec, op):
    c = client(spec)
    for item in op["items"]:
        c.put_item(TableName=spec["table"], Item=item)
    out({"put": len(op["items"])})


def bulk_load(spec, op):
    import boto3
    table = boto3.resource("dynamodb", endpoint_url=spec["endpoint"], region_name="us-east-1").Table(spec["table"])
    fn = op.get("function", "bench-fn")
    now = int(time.time())
    started = time.time()
    with table.batch_writer() as batch:
        for i in range(op["count"]):
            import hashlib
            h = hashlib.md5(json.dumps({"order": i}, sort_keys=True).encode()).hexdigest()
            batch.put_item(Item={
                "id": f"{fn}.app.handler#{h}", "status": "COMPLETED", "expiration": now + 3600,
                "in_progress_expiration": (now + 60) * 1000,
                "data": json.dumps({"statusCode": 200, "body": f"charged order {i}"}, sort_keys=True)})
    out({"loaded": op["count"], "seconds": round(time.time() - started, 2)})


def scan(spec, op):
    c = client(spec)
    started = time.time()
    count = 0
    kwargs = {"TableName": spec["table"]}
    while True:
        page = c.scan(**kwargs)
        count += len(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    out({"scanned": count, "seconds": round(time.time() - started, 3)})


def main():
    path = sys.argv[1]
    spec = json.load(sys.stdin if path == "-" else open(path))
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_REGION", "us-east-1")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    for op in spec["ops"]:
        {"create_table": create_table, "invoke": invoke, "inspect": inspect, "put_items": put_items, "bulk_load": bulk_load,
         "scan": scan}[op["op"]](spec, op)


if __name__ == "__main__":
    main()
