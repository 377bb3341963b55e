"""nginx in front of several Rasa servers, from ``deploy/nginx.conf.template`` (contract §6).

The template is the one source of the proxy configuration: the README's deployment
section points to it, and the scale-out test runs nginx on it (:func:`running`), as a
child process in the foreground with everything it writes in a temporary folder, so a
test needs no root, no system nginx service and no fixed port.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from bot.serve import ROOT

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"

# The main configuration around the template's http-level snippet, for a child nginx.
_MAIN = """daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/kotobotti.conf;
}}
"""


def render(listen: str, servers: Sequence[str], template: Path = TEMPLATE) -> str:
    """The template with nginx's listen address and one ``server`` line per Rasa server."""
    lines = "\n".join(f"    server {server};" for server in servers)
    return template.read_text("utf-8").replace("{{LISTEN}}", listen).replace("{{RASA_SERVERS}}", lines)


def binary() -> str:
    """nginx's path (Debian's ``nginx`` package puts it in /usr/sbin, often not on PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise FileNotFoundError("nginx is missing: run `make install` (Debian package nginx)")
    return found


def _wait_listening(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx stopped at start (exit {proc.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nginx did not listen on {port} within {timeout:.0f} s")


@contextlib.contextmanager
def running(port: int, servers: Sequence[str], timeout: float = 30) -> Iterator[str]:
    """nginx on 127.0.0.1:``port`` before ``servers`` (host:port), until the block ends; its base URL."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "kotobotti.conf").write_text(render(f"127.0.0.1:{port}", servers), "utf-8")
        config = folder / "nginx.conf"
        config.write_text(_MAIN.format(tmp=tmp), "utf-8")
        check = subprocess.run([binary(), "-t", "-q", "-c", str(config), "-p", tmp], capture_output=True)
        if check.returncode:
            raise RuntimeError(f"nginx rejects the configuration: {check.stderr.decode(errors='replace')}")
        proc = subprocess.Popen([binary(), "-c", str(config), "-p", tmp], stderr=subprocess.DEVNULL)
        try:
            _wait_listening(port, proc, timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()  # SIGTERM: nginx's fast shutdown, workers included
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
