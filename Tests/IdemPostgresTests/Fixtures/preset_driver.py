"""Writes idempotency rows the way each preset's own code does, through psycopg 3, for idemtop's Postgres tests.

No library on PyPI keeps these schemas (rocket-rides is Ruby, Medusa and node-idempotency are TypeScript,
idempotence4j is Java), so this replays their SQL: the table definitions and the statements of
brandur/rocket-rides-atomic (schema.sql, api.rb's atomic phases), Medusa v1 (models/ and services/idempotency-key.ts),
transferwise/idempotence4j (the postgres migration, JdbcPostgresActionRepository, JdbcPostgresLockProvider) and
node-idempotency's storage-adapter-postgres. docs/postgres.md cites the files.

Input: a JSON spec on stdin or in the file named by argv[1]: {"dsn": ..., "steps": [{"op": ...}, ...]}.
Output: one JSON line per step.
"""
import json
import sys
import threading
import time
import uuid

import psycopg
from psycopg.types.json import Jsonb

ROCKET_DDL = """
CREATE TABLE IF NOT EXISTS users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE CHECK (char_length(email) <= 255),
    stripe_customer_id TEXT NOT NULL UNIQUE CHECK (char_length(stripe_customer_id) <= 50));
CREATE TABLE IF NOT EXISTS idempotency_keys (
    id BIGSERIAL PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    idempotency_key TEXT NOT NULL CHECK (char_length(idempotency_key) <= 100),
    last_run_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_at TIMESTAMPTZ DEFAULT now(),
    request_method TEXT NOT NULL CHECK (char_length(request_method) <= 10),
    request_params JSONB NOT NULL,
    request_path TEXT NOT NULL CHECK (char_length(request_path) <= 100),
    response_code INT NULL,
    response_body JSONB NULL,
    recovery_point TEXT NOT NULL CHECK (char_length(recovery_point) <= 50),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT);
CREATE UNIQUE INDEX IF NOT EXISTS idempotency_keys_user_id_idempotency_key
    ON idempotency_keys (user_id, idempotency_key);
"""

# Medusa v1's migration packages/medusa/src/migrations/1611063162649-initial_schema.ts, as it creates the table
# and its unique index.
MEDUSA_DDL = """
CREATE TABLE IF NOT EXISTS "idempotency_key" ("id" character varying NOT NULL,
    "idempotency_key" character varying NOT NULL,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_at" TIMESTAMP WITH TIME ZONE,
    "request_method" character varying, "request_params" jsonb, "request_path" character varying,
    "response_code" integer, "response_body" jsonb,
    "recovery_point" character varying NOT NULL DEFAULT 'started',
    CONSTRAINT "PK_213f125e14469be304f9ff1d452" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX IF NOT EXISTS "IDX_a421bf4588d0004a9b0c0fe84f" ON "idempotency_key" ("idempotency_key");
"""

I4J_DDL = """
CREATE TABLE IF NOT EXISTS idempotent_action (
    key TEXT NOT NULL, type TEXT NOT NULL, client TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL, last_run_at TIMESTAMP, completed_at TIMESTAMP,
    result BYTEA, result_type VARCHAR(255),
    PRIMARY KEY (key, type, client));
CREATE INDEX IF NOT EXISTS IDX_IDEMPOTENT_ACTION_CREATED_AT ON idempotent_action (created_at ASC);
"""

NODE_DDL = """
CREATE SCHEMA IF NOT EXISTS "node_idempotency";
CREATE UNLOGGED TABLE IF NOT EXISTS "node_idempotency"."idempotency" (
  key VARCHAR(255) PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT NOW() NOT NULL,
  data TEXT,
  expires_at TIMESTAMPTZ NOT NULL);
CREATE INDEX IF NOT EXISTS idx_idempotency_expires_at ON "node_idempotency"."idempotency" (expires_at);
"""

LOCK_TIMEOUT = 90  # rocket-rides IDEMPOTENCY_KEY_LOCK_TIMEOUT


class Halt(Exception):
    def __init__(self, status):
        self.status = status


def rocket_phase1(conn, user_id, key, params, method="POST", path="/rides", barrier=None):
    """rocket-rides' first atomic phase: find or create the key and take its lock, SERIALIZABLE."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
        row = conn.execute(
            "SELECT id, request_params, locked_at > now() - make_interval(secs => %s), recovery_point "
            "FROM idempotency_keys WHERE user_id = %s AND idempotency_key = %s",
            (LOCK_TIMEOUT, user_id, key)).fetchone()
        if barrier is not None:
            barrier.wait()
        if row:
            if row[1] != params:
                raise Halt(409)
            if row[2]:
                raise Halt(409)
            if row[3] != "finished":
                conn.execute("UPDATE idempotency_keys SET last_run_at = now(), locked_at = now() WHERE id = %s",
                             (row[0],))
            return row[0]
        return conn.execute(
            "INSERT INTO idempotency_keys (idempotency_key, locked_at, recovery_point, request_method, "
            "request_params, request_path, user_id) VALUES (%s, now(), 'started', %s, %s, %s, %s) RETURNING id",
            (key, method, Jsonb(params), path, user_id)).fetchone()[0]


def rocket_request(conn, step, barrier=None):
    """One POST /rides: the atomic phases up to `stop_at` (a recovery point), or all of them; `fail` unlocks the
    key as atomic_phase's ensure does after an error."""
    user_id, key, params = step["user"], step["key"], step.get("params", {"origin_lat": 0.0})
    try:
        kid = rocket_phase1(conn, user_id, key, params, barrier=barrier)
    except Halt as h:
        return {"status": h.status}
    except psycopg.errors.SerializationFailure:
        conn.rollback()
        return {"status": 429}
    except psycopg.errors.UniqueViolation:
        conn.rollback()
        return {"status": 429}
    stop = step.get("stop_at")
    for point in ["ride_created", "charge_created"]:
        if stop == "started":
            return {"status": 0, "id": kid}
        with conn.transaction():
            conn.execute("UPDATE idempotency_keys SET recovery_point = %s WHERE id = %s", (point, kid))
        if stop == point:
            return {"status": 0, "id": kid}
    if step.get("fail"):
        conn.execute("UPDATE idempotency_keys SET locked_at = NULL WHERE id = %s", (kid,))
        conn.commit()
        return {"status": 500, "id": kid}
    with conn.transaction():
        conn.execute("UPDATE idempotency_keys SET locked_at = NULL, recovery_point = 'finished', response_code = %s, "
                     "response_body = %s WHERE id = %s",
                     (step.get("code", 201), Jsonb({"message": "Payment accepted."}), kid))
    return {"status": step.get("code", 201), "id": kid}


def step_run(conn, dsn, step):
    op = step["op"]
    if op == "rocket-setup":
        conn.execute(ROCKET_DDL)
        for u in range(1, step.get("users", 3) + 1):
            conn.execute("INSERT INTO users (id, email, stripe_customer_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                         (u, f"user{u}@example.com", f"cus_{u}"))
        conn.commit()
        return {"ok": True}
    if op == "rocket-request":
        return rocket_request(conn, step)
    if op == "rocket-race":
        # Two connections, one key, both past the SELECT before either writes: one request executes.
        barrier = threading.Barrier(2, timeout=30)
        results = [None, None]

        def worker(i):
            with psycopg.connect(dsn) as c:
                results[i] = rocket_request(c, step, barrier=barrier)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return {"statuses": sorted(r["status"] for r in results)}
    if op == "rocket-hold":
        # Phase one commits the lock; the next phase's transaction holds the row and never ends (killed).
        kid = rocket_phase1(conn, step["user"], step["key"], step.get("params", {"origin_lat": 0.0}))
        conn.execute("SELECT id FROM idempotency_keys WHERE id = %s FOR UPDATE", (kid,))
        print(json.dumps({"holding": kid}), flush=True)
        time.sleep(3600)
        return {}
    if op == "medusa-setup":
        conn.execute(MEDUSA_DDL)
        conn.commit()
        return {"ok": True}
    if op == "medusa-request":
        # initializeRequest (create), lock (locked_at = now), workStage (recovery_point finished + response).
        key = step["key"]
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
            if not conn.execute("SELECT 1 FROM idempotency_key WHERE idempotency_key = %s", (key,)).fetchone():
                conn.execute("INSERT INTO idempotency_key (id, idempotency_key, request_method, request_params, "
                             "request_path) VALUES (%s, %s, %s, %s, %s)",
                             ("ikey_" + uuid.uuid4().hex[:26].upper(), key, "POST", Jsonb({"cart": key}), "/store/carts/complete"))
        with conn.transaction():
            conn.execute("UPDATE idempotency_key SET locked_at = now() WHERE idempotency_key = %s", (key,))
        if step.get("finish", True):
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                conn.execute("UPDATE idempotency_key SET recovery_point = 'finished', response_code = 200, "
                             "response_body = %s WHERE idempotency_key = %s", (Jsonb({"type": "order"}), key))
        return {"ok": True}
    if op == "i4j-setup":
        conn.execute(I4J_DDL)
        conn.commit()
        return {"ok": True}
    if op == "i4j-action":
        # insertOrGet, then the row lock, then update with the result when it completes.
        k = (step["key"], step["type"], step["client"])
        with conn.transaction():
            conn.execute("INSERT INTO idempotent_action(key, type, client, created_at, last_run_at, completed_at, result, "
                         "result_type) VALUES (%s, %s, %s, now() at time zone 'utc', now() at time zone 'utc', NULL, NULL, NULL) "
                         "ON CONFLICT (key, type, client) DO NOTHING;", k)
        if step.get("complete", True):
            with conn.transaction():
                conn.execute("SELECT 1 FROM idempotent_action WHERE key = %s AND type = %s AND client = %s "
                             "FOR UPDATE SKIP LOCKED", k)
                conn.execute("UPDATE idempotent_action SET last_run_at = now() at time zone 'utc', "
                             "completed_at = now() at time zone 'utc', result = %s, result_type = %s "
                             "WHERE key = %s AND type = %s AND client = %s",
                             (b'{"transferId":42}', "com.example.Result") + k)
        return {"ok": True}
    if op == "node-setup":
        conn.execute(NODE_DDL)
        conn.commit()
        return {"ok": True}
    if op == "node-request":
        # Idempotency.onRequest's setIfNotExists, then onResponse's set, with the adapter's SQL.
        key = f"node-idempotency:{step.get('method', 'POST')}:{step.get('path', '/charges')}:{step['key']}"
        ttl = step.get("ttl_ms", 86400000)
        fp = step.get("fingerprint", "ab12")
        conn.execute(
            'INSERT INTO "node_idempotency"."idempotency" (key, data, expires_at) '
            "VALUES (%s, %s, NOW() + %s * INTERVAL '1 millisecond') ON CONFLICT (key) DO UPDATE SET "
            "data = EXCLUDED.data, expires_at = EXCLUDED.expires_at "
            'WHERE "node_idempotency"."idempotency".expires_at < NOW() RETURNING key, expires_at;',
            (key, json.dumps({"status": "IN_PROGRESS", "fingerPrint": fp}), ttl))
        conn.commit()
        if step.get("complete", True):
            conn.execute(
                'INSERT INTO "node_idempotency"."idempotency" (key, data, expires_at) '
                "VALUES (%s, %s, NOW() + %s * INTERVAL '1 millisecond') ON CONFLICT (key) DO UPDATE SET "
                "data = EXCLUDED.data, expires_at = EXCLUDED.expires_at",
                (key, json.dumps({"status": "COMPLETE", "fingerPrint": fp, "response": {"body": {"id": "ch_1"}}}), ttl))
            conn.commit()
        return {"ok": True}
    if op == "sql":
        conn.execute(step["sql"])
        conn.commit()
        return {"ok": True}
    raise SystemExit(f"unknown op {op}")


def main():
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    spec = json.load(source)
    with psycopg.connect(spec["dsn"]) as conn:
        for step in spec["steps"]:
            print(json.dumps(step_run(conn, spec["dsn"], step)), flush=True)


if __name__ == "__main__":
    main()
