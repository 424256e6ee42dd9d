"""A receiver of Approval Gates webhooks in Python, standard library only.

It checks the signature and the timestamp, drops repeats by delivery id, and prints each new
delivery. Run it with ``GATES_WEBHOOK_SECRET=... python3 receiver.py 8080``.
"""

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_S = 300  # how far the signed timestamp may be from this clock


def verify(secret: str, timestamp: str, signature: str, body: bytes, now: float | None = None) -> bool:
    """Whether ``signature`` is HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``, freshly signed."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_S:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v1={mac}", signature)


def make_handler(secret: str, on_delivery):
    seen: dict[str, float] = {}  # delivery ids within the tolerance; older repeats fail on their timestamp

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            timestamp = self.headers.get("x-gates-timestamp", "")
            signature = self.headers.get("x-gates-signature", "")
            delivery_id = self.headers.get("x-gates-delivery", "")
            if not verify(secret, timestamp, signature, body):
                return self.answer(401, b"bad signature")
            now = time.time()
            for key, at in list(seen.items()):
                if now - at > 2 * TOLERANCE_S:
                    del seen[key]
            if delivery_id in seen:
                return self.answer(200, b"duplicate")
            try:
                on_delivery(json.loads(body))
            except Exception:  # a 5xx makes Approval Gates retry later, with the same id
                return self.answer(503, b"try again")
            seen[delivery_id] = now
            self.answer(200, b"ok")

        def answer(self, status: int, text: bytes) -> None:
            self.send_response(status)
            self.send_header("content-length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args) -> None:  # quiet: print deliveries, not requests
            pass

    return Handler


def print_delivery(delivery: dict) -> None:
    approval = delivery["approval"]
    print(f"{delivery['type']} {approval['task_id']}/{approval['request_id']}: {approval['status']}", flush=True)


if __name__ == "__main__":
    secret = os.environ.get("GATES_WEBHOOK_SECRET")
    if not secret:
        sys.exit("set GATES_WEBHOOK_SECRET to the endpoint's secret")
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(secret, print_delivery))
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
