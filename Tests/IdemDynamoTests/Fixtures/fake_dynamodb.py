"""A fake DynamoDB endpoint for error paths moto cannot produce.

Usage: python3 fake_dynamodb.py MODE   -- prints the port it listens on, then serves until stdin closes.
MODE: "throttle:N"  the first N calls answer ThrottlingException (HTTP 400), then DescribeTable/Scan succeed;
      "deny"        DescribeTable succeeds, every Scan answers AccessDeniedException;
      "expired"     every call answers ExpiredTokenException;
      "slow:S"      every Scan answers after S seconds (how much CPU a client burns while it waits).
Each request's X-Amz-Target and Authorization are appended to the log printed at the end (for signing checks).
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode = sys.argv[1]
calls = {"n": 0}
TABLE = {"Table": {"TableName": "t", "ItemCount": 1, "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}
ITEM = {"id": {"S": "fn.app.handler#abc"}, "status": {"S": "COMPLETED"}, "expiration": {"N": "4102444800"},
        "data": {"S": "{\"statusCode\": 201}"}}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, kind, message):
        self.answer(400, {"__type": f"com.amazonaws.dynamodb.v20120810#{kind}", "message": message})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "").split(".")[-1]
        calls["n"] += 1
        if mode.startswith("throttle:") and calls["n"] <= int(mode.split(":")[1]):
            return self.error("ThrottlingException", "Rate exceeded")
        if mode == "expired":
            return self.error("ExpiredTokenException", "The security token included in the request is expired")
        if target == "DescribeTable":
            return self.answer(200, TABLE)
        if mode == "deny":
            return self.error("AccessDeniedException", "User is not authorized to perform: dynamodb:Scan")
        if target == "Scan":
            if mode.startswith("slow:"):
                import time
                time.sleep(float(mode.split(":")[1]))
            return self.answer(200, {"Items": [ITEM], "Count": 1})
        return self.error("ValidationException", f"unsupported {target}")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
