"""Drives the real aws-lambda-powertools idempotency utility against a Redis server (the tests' redis-server).

Usage: python redis_driver.py -   (SPEC as JSON on stdin)

SPEC: {"port": P, "cluster": false, "ops": [OP, ...]}; each OP prints one JSON line (cluster: P is one node of a
Redis Cluster, written through redis-py's RedisCluster):
  {"op": "invoke", "function": "payments-fn", "event": {...}, "mode": "ok" | "raise" | "hang",
   "event_key_jmespath": "body", "payload_validation_jmespath": "amount" | null, "expires_after_seconds": 3600,
   "without_ttl": null | "all" | "lock"   (those keys written without a TTL: the test expires them itself),
   "remaining_ms": 60000 | null}
     remaining_ms null: the handler runs without a Lambda context (idempotent_function), so the record has no
     in_progress_expiration. mode "hang" prints {"hang": true} once the INPROGRESS record is saved, then sleeps.
  {"op": "inspect", "at_ms": null, "payload_validation_jmespath": ...}
     prints {"now_ms": T, "records": [{"key", "status": "EXPIRED"|"INPROGRESS"|"COMPLETED", "takeover": bool}]}:
     Powertools' own _get_record decoding and DataRecord.status with its clock frozen at T, and whether a new
     request would take an INPROGRESS record over (cache.py/redis.py's _put_in_progress_record condition).
  {"op": "bulk_load", "count": N, "function": "bench-fn"}   (benchmark: N completed records, pipelined)
  {"op": "scan"}   (redis-py scan_iter + pipelined get: prints count and seconds)
"""
import json
import os
import sys
import time


class Context:
    def __init__(self, function, remaining_ms):
        self.function_name = function
        self.memory_limit_in_mb = 128
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function}"
        self.aws_request_id = "req-" + str(time.time_ns())
        self._remaining = remaining_ms

    def get_remaining_time_in_millis(self):
        return self._remaining


def out(obj):
    print(json.dumps(obj), flush=True)


def client(spec):
    import redis
    if spec.get("cluster"):
        # redis-py's cluster client: CachePersistenceLayer takes any client with get/set/delete (its
        # RedisConnection(mode="cluster") makes this same class), and routes each key to its slot's primary.
        from redis.cluster import RedisCluster
        return RedisCluster(host="127.0.0.1", port=spec["port"], decode_responses=True,
                            username=spec.get("username"), password=spec.get("password"))
    return redis.Redis(host="127.0.0.1", port=spec["port"], decode_responses=True,
                       username=spec.get("username"), password=spec.get("password"))


def layer(spec, op):
    from aws_lambda_powertools.utilities.idempotency.persistence.cache import CachePersistenceLayer
    c = client(spec)
    without_ttl = op.get("without_ttl")  # "all" or "lock": those keys written as Powertools writes them, no TTL
    if without_ttl:
        # A test that expires the key itself (PEXPIRE) once it is ready, instead of racing a short TTL on a loaded
        # machine. The record's own expiration field is untouched. Powertools passes ex= as a keyword.
        plain_set = c.set

        def set_without_ttl(*args, ex=None, **kwargs):
            name = kwargs.get("name", args[0] if args else "")
            if without_ttl == "all" or str(name).endswith(":lock"):
                ex = None
            return plain_set(*args, ex=ex, **kwargs)
        c.set = set_without_ttl
    return CachePersistenceLayer(client=c, **(op.get("attrs") or {}))


def invoke(spec, op):
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = op.get("function", "payments-fn")
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent, idempotent_function
    from aws_lambda_powertools.utilities.idempotency import exceptions
    config = IdempotencyConfig(
        event_key_jmespath=op.get("event_key_jmespath") or "",
        payload_validation_jmespath=op.get("payload_validation_jmespath") or "",
        expires_after_seconds=op.get("expires_after_seconds", 3600),
        use_local_cache=False)
    mode = op.get("mode", "ok")

    def work(event):
        if mode == "hang":
            out({"hang": True})
            time.sleep(3600)
        if mode == "raise":
            raise RuntimeError("card declined")
        return {"statusCode": 200, "body": f"charged {event.get('body')}", "executed_at": time.time()}

    remaining = op.get("remaining_ms", 60000)
    try:
        if remaining is None:
            def handler(event):
                return work(event)
            handler.__module__ = "app"
            handler.__qualname__ = handler.__name__ = "handler"
            wrapped = idempotent_function(data_keyword_argument="event", config=config,
                                          persistence_store=layer(spec, op))(handler)
            result = wrapped(event=op["event"])
        else:
            def handler(event, context):
                return work(event)
            handler.__module__ = "app"
            handler.__qualname__ = handler.__name__ = "handler"
            wrapped = idempotent(config=config, persistence_store=layer(spec, op))(handler)
            result = wrapped(op["event"], Context(os.environ["AWS_LAMBDA_FUNCTION_NAME"], remaining))
        out({"result": result})
    except exceptions.IdempotencyValidationError as e:
        out({"error": "IdempotencyValidationError", "message": str(e)})
    except exceptions.IdempotencyAlreadyInProgressError as e:
        out({"error": "IdempotencyAlreadyInProgressError", "message": str(e)})
    except RuntimeError as e:
        out({"error": "RuntimeError", "message": str(e)})


def inspect(spec, op):
    import datetime as real
    import types
    from aws_lambda_powertools.utilities.idempotency.persistence import datarecord
    store = layer(spec, op)
    now_ms = op.get("at_ms") or int(time.time() * 1000)
    frozen = real.datetime.fromtimestamp(now_ms / 1000)

    class Frozen(real.datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen

    datarecord.dt = types.SimpleNamespace(datetime=Frozen, timedelta=real.timedelta)
    records = []
    c = client(spec)
    for key in c.scan_iter(count=1000):
        if key.endswith(":lock") or c.type(key) != "string":
            continue
        try:
            rec = store._get_record(key)
        except Exception:
            continue
        ipe = rec.in_progress_expiry_timestamp
        locked = ipe is None or ipe > now_ms
        records.append({"key": key, "status": rec.status,
                        "takeover": bool(rec.status == "INPROGRESS" and not locked)})
    out({"now_ms": now_ms, "records": records})


def bulk_load(spec, op):
    import hashlib
    c = client(spec)
    fn = op.get("function", "bench-fn")
    now = int(time.time())
    started = time.time()
    pipe = c.pipeline(transaction=False)
    for i in range(op["count"]):
        h = hashlib.md5(json.dumps({"order": i}).encode()).hexdigest()
        value = json.dumps({"data": json.dumps({"statusCode": 200, "body": f"charged order {i}"}),
                            "status": "COMPLETED", "expiration": now + 7200})
        pipe.set(f"{fn}.app.handler#{h}", value, ex=7200)
        if i % 10000 == 9999:
            pipe.execute()
    pipe.execute()
    out({"loaded": op["count"], "seconds": round(time.time() - started, 2)})


def scan(spec, op):
    c = client(spec)
    started = time.time()
    count = 0
    batch = []
    for key in c.scan_iter(count=1000):
        batch.append(key)
        if len(batch) == 1000:
            pipe = c.pipeline(transaction=False)
            for k in batch:
                pipe.get(k)
            count += len(pipe.execute())
            batch = []
    if batch:
        pipe = c.pipeline(transaction=False)
        for k in batch:
            pipe.get(k)
        count += len(pipe.execute())
    out({"scanned": count, "seconds": round(time.time() - started, 3)})


def main():
    spec = json.load(sys.stdin)
    for op in spec["ops"]:
        {"invoke": invoke, "inspect": inspect, "bulk_load": bulk_load, "scan": scan}[op["op"]](spec, op)


if __name__ == "__main__":
    main()
