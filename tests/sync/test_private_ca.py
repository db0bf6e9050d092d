"""The desk honours a county's private CA: the hub behind HTTPS with a certificate from a CA made here is
reached when `hub_ca_bundle` names that CA, refused (a plain failure, not success) without it; a bundle that
cannot be read is a Chinese error naming the setting."""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading

import pytest

from desktop.domain.errors import DeskError
from desktop.protocol import schema as syncschema
from desktop.sync import identity
from desktop.sync.client import HubClient, HubFailureError


def _openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def https_hub(tmp_path):
    """A stand-in hub answering /v1/hello over HTTPS with a certificate signed by a fresh private CA."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=Test County CA", cwd=tmp_path)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "hub.key", "-out", "hub.csr", "-subj",
             "/CN=127.0.0.1", cwd=tmp_path)
    (tmp_path / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "hub.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
             "hub.pem", "-days", "2", "-extfile", "ext.cnf", cwd=tmp_path)

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(syncschema.envelope(True, hub_id="x", time="t")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "hub.pem", tmp_path / "hub.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", tmp_path / "ca.pem"
    server.shutdown()
    server.server_close()


def test_the_county_ca_bundle_is_trusted_and_nothing_else(https_hub):
    url, ca = https_hub
    with HubClient(url, verify=identity.verify(str(ca))) as client:
        assert client.hello()["hub_id"] == "x"
    with HubClient(url, verify=identity.verify(None)) as client, pytest.raises(HubFailureError):
        client.hello()  # the system store does not know this county's CA


def test_an_unreadable_bundle_names_the_setting(tmp_path):
    with pytest.raises(DeskError, match="hub_ca_bundle") as refused:
        identity.verify(str(tmp_path / "missing.pem"))
    assert refused.value.field == "hub_ca_bundle"
