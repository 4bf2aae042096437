"""A local stand-in for mmaction2's model zoo on 127.0.0.1: serves files by path, honours HTTP range requests (for
resumed downloads), and can be told to cut a file short or to drop the connection mid-file."""
from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional


class ZooServer:
    def __init__(self) -> None:
        self.files: Dict[str, bytes] = {}
        self.requests: List[Dict[str, Optional[str]]] = []
        self.cut_after: Optional[int] = None  # send this many bytes of a file, then close (a server going away)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.requests.append({"path": self.path, "range": self.headers.get("Range")})
                data = server.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                ranged = self.headers.get("Range")
                if ranged and ranged.startswith("bytes=") and ranged.endswith("-"):
                    start = int(ranged[len("bytes="):-1])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if server.cut_after is not None:
                    body = body[:server.cut_after]
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def publish(self, directory: str, stem: str, data: bytes, suffix: str = ".pth") -> str:
        """Serve ``data`` as the zoo names its files (``<stem>-<first 8 hex of SHA-256>.pth``); returns the path."""
        path = f"/{directory.strip('/')}/{stem}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}"
        self.files[path] = data
        return path

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def checkpoint_bytes(model, path: Path) -> bytes:
    """A model's random weights as the zoo stores a checkpoint (``{"state_dict": ..., "meta": {}}``)."""
    import torch

    torch.save({"state_dict": model.state_dict(), "meta": {}}, path)
    return path.read_bytes()
