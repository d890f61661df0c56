"""A local stand-in for the Slack Web API: records every call, answers like Slack does."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode


class MockSlack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answers: list[tuple[str, dict[str, Any]]] = []
        self.uploads: dict[str, bytes] = {}  # file id -> bytes sent to its upload URL
        self._lock = threading.Lock()
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                method = self.path.rsplit("/", 1)[-1]
                data = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path.startswith("/upload/"):  # step 2 of files_upload_v2: raw bytes
                    with mock._lock:
                        mock.uploads[method] = data
                    self.send_response(200)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                    return
                raw = data.decode()
                if "json" in (self.headers.get("content-type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                    for key in ("blocks", "view", "files"):
                        if isinstance(args.get(key), str):
                            args[key] = json.loads(args[key])
                answer = mock.answer(method, args)
                with mock._lock:
                    mock.calls.append((method, args))
                    mock.answers.append((method, answer))
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1",
                    "team": "test", "user": "papertrail", "url": "https://test.slack.com/"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": f"{time.time():.6f}",
                    "message": {"text": args.get("text")}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.calls) + 1}"
            port = self.server.server_address[1]
            return {"ok": True, "file_id": file_id,
                    "upload_url": f"http://127.0.0.1:{port}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")}
                                          for f in args.get("files") or []]}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        return {"ok": True}

    def of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [args for name, args in self.calls if name == method]

    def answered(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [answer for name, answer in self.answers if name == method]

    def __enter__(self) -> MockSlack:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def signed(secret: str, payload: dict[str, Any], timestamp: int | None = None,
           forge: bool = False) -> tuple[str, dict[str, str]]:
    """A form-encoded interaction body and the headers Slack would sign it with."""
    body = urlencode({"payload": json.dumps(payload)})
    ts = str(int(time.time()) if timestamp is None else timestamp)
    key = (secret + "-forged" if forge else secret).encode()
    signature = "v0=" + hmac.new(key, f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return body, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature,
                  "Content-Type": "application/x-www-form-urlencoded"}


def block_action(user: str, action_id: str, value: str | None = None,
                 selected: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"action_id": action_id, "block_id": "decide", "type": "button",
                              "action_ts": f"{time.time():.6f}"}
    if value is not None:
        action["value"] = value
    if selected is not None:
        action |= {"type": "static_select", "selected_option": {"value": selected}}
    return {"type": "block_actions", "user": {"id": user, "username": user, "team_id": "T1"},
            "api_app_id": "A1", "token": "legacy", "team": {"id": "T1", "domain": "test"},
            "channel": {"id": "C1", "name": "reviews"}, "trigger_id": "trig-1",
            "container": {"type": "message", "message_ts": "1.0", "channel_id": "C1"},
            "response_url": "https://hooks.slack.invalid/x", "actions": [action]}


def view_submission(user: str, doc_id: str, values: dict[str, str]) -> dict[str, Any]:
    state = {f"f_{name}": {"value": {"type": "plain_text_input", "value": value}}
             for name, value in values.items()}
    return {"type": "view_submission", "user": {"id": user, "team_id": "T1"},
            "api_app_id": "A1", "team": {"id": "T1"}, "trigger_id": "trig-2",
            "view": {"id": "V1", "type": "modal", "callback_id": "pt_edit_modal",
                     "private_metadata": doc_id, "state": {"values": state},
                     "team_id": "T1", "app_id": "A1", "hash": "h"}}
