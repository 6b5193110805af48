"""A local stand-in for the gateway phone: SMS Gateway for Android's local-server HTTP API.

It speaks what the app's local server speaks (``POST /message`` and its newer name
``/messages``, ``GET /messages/{id}``, basic auth, 409 for an id it has, 202 with the
message's state) on a real socket in a thread, and keeps what it was sent, so a test sees
exactly what left. ``states`` is what it answers when asked how far an SMS went.
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOGIN, PASSWORD = "nightstay", "gateway-password"


class Gateway:
    def __init__(self):
        self.sent: list[dict] = []  # the request bodies it accepted
        self.states: dict[str, str] = {}  # its id -> "Pending", "Sent", "Delivered", "Failed"
        self.down = False  # answer 503, as the app does when its SMS service is stopped
        self.refused_auth = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_POST(self):
                if not self._authorised():
                    return
                if self.path.split("?")[0] not in ("/message", "/messages"):
                    return self._answer(404, {"message": "not found"})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if gateway.down:
                    return self._answer(503, {"message": "service unavailable"})
                sms_id = body.get("id") or secrets.token_urlsafe(15)
                if sms_id in gateway.states:
                    return self._answer(409, {"message": f"message with id {sms_id} already exists"})
                if not body.get("phoneNumbers") or not (body.get("textMessage") or {}).get("text"):
                    return self._answer(400, {"message": "bad request"})
                gateway.sent.append(body)
                gateway.states[sms_id] = "Pending"
                self._answer(202, gateway.state_of(sms_id, body["phoneNumbers"]))

            def do_GET(self):
                if not self._authorised():
                    return
                parts = self.path.strip("/").split("/")
                if len(parts) == 2 and parts[0] in ("message", "messages") and parts[1] in gateway.states:
                    sent = next(b for b in gateway.sent if b.get("id") == parts[1])
                    return self._answer(200, gateway.state_of(parts[1], sent["phoneNumbers"]))
                self._answer(404, {"message": "not found"})

            def _authorised(self) -> bool:
                expected = "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") == expected:
                    return True
                gateway.refused_auth += 1
                self._answer(401, {"message": "unauthorized"})
                return False

            def _answer(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def state_of(self, sms_id: str, phones: list[str]) -> dict:
        state = self.states[sms_id]
        return {"id": sms_id, "deviceId": "test-phone", "state": state, "isHashed": False, "isEncrypted": False,
                "recipients": [{"phoneNumber": p, "state": state, "error": "RESULT_ERROR_GENERIC_FAILURE"
                                if state == "Failed" else None} for p in phones],
                "states": {state: "2026-11-24T17:00:00.000+01:00"}}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
