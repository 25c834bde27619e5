"""The dashboard's WebSocket answers only to the names it is served under (DNS rebinding)."""

from __future__ import annotations

import base64
import http.client
import os
from urllib.parse import urlparse


def websocket_status(base_url: str, host: str) -> int:
    """The HTTP status of a WebSocket handshake on Streamlit's stream, sent with `host` as Host."""
    address = urlparse(base_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
    try:
        connection.putrequest("GET", "/_stcore/stream", skip_host=True)
        for name, value in (
            ("Host", host),
            ("Connection", "Upgrade"),
            ("Upgrade", "websocket"),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", base64.b64encode(os.urandom(16)).decode()),
            ("Origin", f"http://{host}"),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_rebound_host_name_gets_no_websocket(dashboard):
    port = urlparse(dashboard).port
    assert websocket_status(dashboard, f"127.0.0.1:{port}") == 101
    assert websocket_status(dashboard, f"localhost:{port}") == 101
    assert websocket_status(dashboard, f"rebind.example:{port}") != 101
    assert websocket_status(dashboard, f"127.0.0.1.nip.io:{port}") != 101
