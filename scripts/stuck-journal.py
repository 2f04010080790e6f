#!/usr/bin/env python3
"""Writes a journal of N executions that never finished (a crashed fleet): every token stuck now.

Usage: scripts/stuck-journal.py [N] [PATH]   (default 300000 /tmp/stuck300k.jsonl)

The requests start an hour ago, 10 ms apart, over 7 tenants, with a 30 s lock and 24 h retention, so that at
run time every token is in progress past its deadline and not expired. Used for the audit and bulk-purge figures
in README.md ("Performance").
"""
import datetime
import json
import random
import sys
import uuid

n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
path = sys.argv[2] if len(sys.argv) > 2 else "/tmp/stuck300k.jsonl"
rng = random.Random(1)
now = datetime.datetime.now(datetime.timezone.utc)


def ts(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


with open(path, "w") as f:
    for i in range(n):
        at = now - datetime.timedelta(seconds=3600 - i * 0.01)
        line = {
            "v": 1, "kind": "request", "at": ts(at), "tenant": f"t{i % 7}",
            "token": str(uuid.UUID(int=rng.getrandbits(128))), "operation": "POST /v1/charges",
            "fingerprint": "%064x" % rng.getrandbits(256), "outcome": "executed",
            "expires_at": ts(at + datetime.timedelta(hours=24)), "locked_until": ts(at + datetime.timedelta(seconds=30)),
        }
        f.write(json.dumps(line, separators=(",", ":")) + "\n")
print(f"{n} stuck tokens in {path}")
