#!/usr/bin/env python3
"""redis-server's own CPU for one way of reading every key with its TTL (docs/redis.md, "Benchmark").

    python3 scripts/redis-server-cpu.py PORT SERVER_PID MODE [COUNT]

MODE: scan (SCAN only), get, mget, getpttl (GET + PTTL per key, pipelined per page: what idemtop sends),
mgetpttl (one MGET per page + PTTL per key), eval / evalsha (one EVAL_RO / EVALSHA_RO per page of a script that
returns each key's value, or its error such as WRONGTYPE, and its PTTL). A raw RESP client over one socket, SCAN
... MATCH * COUNT COUNT (default 1000); it prints the server's user + system CPU (/proc/PID/stat) over the pass.
Alternate the modes in one run: under load the figures move by 15-20 %.
"""
import socket, sys, time, os
port, pid, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb", buffering=1 << 20)
def enc(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str): a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
def read():
    line = f.readline()
    t = line[:1]
    if t == b"$":
        n = int(line[1:-2])
        if n < 0: return None
        d = f.read(n + 2); return d[:-2]
    if t == b"*":
        n = int(line[1:-2])
        if n < 0: return None
        return [read() for _ in range(n)]
    if t == b":": return int(line[1:-2])
    return line[:-2]
SCRIPT = """local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.pcall('GET', k)
  out[2*i-1] = v
  out[2*i] = redis.pcall('PTTL', k)
end
return out"""
def cpu():
    st = open("/proc/%d/stat" % pid).read().split(")")[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
sha = None
if mode == "evalsha":
    s.sendall(enc("SCRIPT", "LOAD", SCRIPT)); sha = read().decode()
c0 = cpu(); t0 = time.time(); cur = b"0"; n = 0
while True:
    s.sendall(enc("SCAN", cur, "MATCH", "*", "COUNT", str(count)))
    cur, keys = read()
    n += len(keys)
    if keys:
        if mode == "getpttl":
            s.sendall(b"".join(enc("GET", k) + enc("PTTL", k) for k in keys))
            for _ in range(2 * len(keys)): read()
        elif mode == "get":
            s.sendall(b"".join(enc("GET", k) for k in keys))
            for _ in range(len(keys)): read()
        elif mode == "mget":
            s.sendall(enc("MGET", *keys)); read()
        elif mode == "mgetpttl":
            s.sendall(enc("MGET", *keys) + b"".join(enc("PTTL", k) for k in keys))
            for _ in range(1 + len(keys)): read()
        elif mode == "eval":
            s.sendall(enc("EVAL_RO", SCRIPT, str(len(keys)), *keys)); r = read()
            assert isinstance(r, list) and len(r) == 2 * len(keys), r[:3] if isinstance(r, list) else r
        elif mode == "evalsha":
            s.sendall(enc("EVALSHA_RO", sha, str(len(keys)), *keys)); r = read()
            assert isinstance(r, list) and len(r) == 2 * len(keys), r
    if cur == b"0": break
print("%-9s count=%d keys=%d server CPU %.2f s  wall %.1f s  load %s" % (mode, count, n, cpu() - c0, time.time() - t0, open("/proc/loadavg").read().split()[0]))
