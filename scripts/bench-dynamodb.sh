#!/usr/bin/env bash
# Benchmark: load N Powertools-shaped items into a local moto server, then time a full read of the table by
# idemtop (parallel Scan segments, items decoded and folded into the ledger) against boto3's and the AWS CLI's scan.
#
#   scripts/bench-dynamodb.sh [ITEMS=100000] [SEGMENTS="1 4"]
#
# Needs python3 with moto[server] (pip install 'moto[server]==5.2.1') and the Powertools venv the tests cache under
# .build/powertools-venv (made here when missing). Uses .build/release/idemtop when built, else .build/debug/idemtop.
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-100000}
segments=${2:-"1 4"}
venv=.build/powertools-venv
if ! "$venv/bin/python" -c "import aws_lambda_powertools, boto3" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q aws-lambda-powertools==3.37.0 boto3
fi
bin=${IDEMTOP:-.build/release/idemtop}
[ -x "$bin" ] || bin=.build/debug/idemtop
[ -x "$bin" ] || { echo "bench: build idemtop first (swift build -c release --product idemtop)" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
endpoint=http://127.0.0.1:$port
driver=Tests/IdemDynamoTests/Fixtures/powertools_driver.py
echo "bench: moto on $endpoint, loading $items items..."
echo "{\"endpoint\": \"$endpoint\", \"table\": \"bench\", \"ops\": [{\"op\": \"create_table\"}, {\"op\": \"bulk_load\", \"count\": $items}]}" \
  | "$venv/bin/python" "$driver" - | tail -1

now() { date +%s.%N; }
for n in $segments; do
  t0=$(now)
  rows=$(/usr/bin/time -f "%U %S" -o /tmp/idemtop-bench-cpu.$$ \
    "$bin" list "dynamodb://bench?region=us-east-1&endpoint=$endpoint&segments=$n&timeout=300s" --format csv \
    | tail -n +2 | wc -l) || true
  t1=$(now)
  read -r user sys < /tmp/idemtop-bench-cpu.$$ || true
  printf 'idemtop list, %s segment(s): %s tokens in %.2f s (idemtop CPU: %s s user, %s s sys)\n' \
    "$n" "$rows" "$(echo "$t1 - $t0" | bc)" "$user" "$sys"
done
rm -f /tmp/idemtop-bench-cpu.$$
echo "{\"endpoint\": \"$endpoint\", \"table\": \"bench\", \"ops\": [{\"op\": \"scan\"}]}" \
  | "$venv/bin/python" "$driver" - | sed 's/^/boto3 scan (1 segment, no decoding beyond boto3): /'
if command -v aws >/dev/null 2>&1; then
  t0=$(now)
  count=$(aws dynamodb scan --table-name bench --endpoint-url "$endpoint" --select COUNT --output text --query Count 2>/dev/null | paste -sd+ | bc || echo "?")
  t1=$(now)
  printf 'aws dynamodb scan --select COUNT: %s items in %.2f s\n' "$count" "$(echo "$t1 - $t0" | bc)"
  t0=$(now)
  aws dynamodb scan --table-name bench --endpoint-url "$endpoint" --output json >/dev/null
  t1=$(now)
  printf 'aws dynamodb scan (all items, JSON): %.2f s\n' "$(echo "$t1 - $t0" | bc)"
fi
