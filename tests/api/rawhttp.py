"""HTTP/1.1 over a bare socket, for what an HTTP client library will not do: send a request's
head and part of its body, then stop, and see whether (and how) the server answers."""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass
from typing import Any

BOUNDARY = "pt-boundary"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def head(path: str, headers: dict[str, str], method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in
                                                               headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunk(data: bytes) -> bytes:
    return b"%x\r\n" % len(data) + data + b"\r\n"


def file_part_start(filename: str = "big.txt") -> bytes:
    """The start of a multipart body: one `file` part whose content follows (never closed)."""
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: text/plain\r\n\r\n").encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def send_and_wait(port: int, data: bytes, timeout: float) -> Reply | None:
    """Send `data` and leave the request unfinished; the server's answer, or None when it sends
    nothing within `timeout` seconds (it is still waiting for the rest of the body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer and close while we are still sending, or before we read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        received = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while not _complete(received):
                part = sock.recv(65536)
                if not part:
                    break
                received += part
    return _parse(received) if received else None


def _complete(data: bytes) -> bool:
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    headers = _headers(data[:head_end])
    length = headers.get("content-length")
    return length is not None and len(data) - head_end - 4 >= int(length)


def _headers(raw: bytes) -> dict[str, str]:
    lines = raw.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def _parse(data: bytes) -> Reply:
    head_end = data.find(b"\r\n\r\n")
    status = int(data.split(b" ", 2)[1])
    return Reply(status, _headers(data[:head_end]), data[head_end + 4:])
