"""deploy/: the nginx config that serve_replicas.sh renders is valid, sticky and passes websockets through.

Oracle: nginx itself — `nginx -t` parses the rendered config, and a real nginx in front of two tiny HTTP
backends shows where each request lands. Skipped where Debian's nginx is not installed (`make test` does not
install it; `make serve-replicas` does).
"""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bench.classroom import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "serve_replicas.sh"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
COOKIE = "nlp_atlas_replica"
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")


def render(run_dir: Path, n: int, port: int) -> str:
    env = {**os.environ, "N": str(n), "PORT": str(port), "ADDR": "127.0.0.1"}
    subprocess.run(["bash", str(SCRIPT), "--render", str(run_dir)], env=env, check=True, timeout=30)
    return (run_dir / "nginx.conf").read_text()


def test_render_fills_every_placeholder(tmp_path):
    conf = render(tmp_path, 3, 9100)
    assert "@@" not in conf
    assert [line.split()[1] for line in conf.splitlines() if line.strip().startswith("server 127.0.0.1:")] == [
        "127.0.0.1:9101",
        "127.0.0.1:9102",
        "127.0.0.1:9103",
    ]
    assert "listen 127.0.0.1:9100;" in conf
    assert "hash $atlas_sticky_key consistent;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert str(tmp_path) in conf and (tmp_path / "tmp" / "body").is_dir()


def test_upload_limit_follows_streamlit_config(tmp_path):
    """nginx must not refuse an upload that Streamlit would accept (and answer with its own message)."""
    import tomllib

    cap = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"].get("maxUploadSize", 200)
    assert f"client_max_body_size {cap + 1}m;" in render(tmp_path, 1, 9150)


@pytest.mark.parametrize(
    "env",
    [
        {"N": "0"},
        {"N": "x"},
        {"N": "33"},
        {"PORT": "70000"},
        {"PORT": "-1"},
        {"MAX_UPLOAD_MB": "1e9"},
        {"ACCESS_LOG": "relative.log"},
    ],
)
def test_bad_settings_are_refused_with_a_message(tmp_path, env):
    proc = subprocess.run(
        ["bash", str(SCRIPT), "--render", str(tmp_path)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "serve_replicas:" in proc.stderr and not (tmp_path / "nginx.conf").exists()


@needs_nginx
@pytest.mark.parametrize("n", [1, 2, 4])
def test_rendered_config_passes_nginx_t(tmp_path, n):
    render(tmp_path, n, 9200)
    proc = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert "test is successful" in proc.stderr


class _Backend(http.server.BaseHTTPRequestHandler):
    """Answers with its own port and the headers nginx forwarded (what a Streamlit replica would see)."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        body = "\n".join(
            [
                f"port={self.server.server_address[1]}",
                f"upgrade={self.headers.get('Upgrade', '')}",
                f"connection={self.headers.get('Connection', '')}",
                f"host={self.headers.get('Host', '')}",
            ]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    """nginx on PORT in front of two fake replicas on PORT+1 and PORT+2 (the layout serve_replicas.sh uses)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    port = free_port(3)
    backends = [http.server.ThreadingHTTPServer(("127.0.0.1", port + i), _Backend) for i in (1, 2)]
    for b in backends:
        threading.Thread(target=b.serve_forever, daemon=True).start()
    render(tmp_path, 2, port)
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert nginx.poll() is None, nginx.stderr.read().decode()
                time.sleep(0.05)
        yield port
    finally:
        nginx.terminate()
        nginx.wait(10)
        for b in backends:
            b.shutdown()
            b.server_close()


def get(port: int, headers: dict | None = None) -> tuple[dict, str | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/", headers=headers or {})
        resp = conn.getresponse()
        fields = dict(line.split("=", 1) for line in resp.read().decode().splitlines())
        cookie = resp.getheader("Set-Cookie")
        assert resp.status == 200
        return fields, cookie
    finally:
        conn.close()


def test_a_browser_sticks_to_one_replica_and_new_browsers_spread(proxy):
    ports = set()
    for _ in range(24):  # 24 fresh browsers: all on one replica has probability ~2^-23 with a balanced ring
        fields, cookie = get(proxy)
        assert cookie and cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
        ports.add(fields["port"])
        value = cookie.split(";")[0]
        # The same browser (same cookie) lands on the same replica every time: page, websocket, uploads, media.
        again = {get(proxy, {"Cookie": value})[0]["port"] for _ in range(5)}
        assert again == {fields["port"]}
    assert ports == {str(proxy + 1), str(proxy + 2)}


def test_websocket_upgrade_and_host_are_forwarded(proxy):
    fields, _ = get(proxy, {"Upgrade": "websocket", "Connection": "Upgrade"})
    assert fields["upgrade"] == "websocket" and fields["connection"].lower() == "upgrade"
    assert fields["host"] == f"127.0.0.1:{proxy}"  # with the port, or Streamlit's origin check refuses the socket
    fields, _ = get(proxy)
    assert fields["upgrade"] == "" and fields["connection"].lower() == "close"
