"""The Azure Blob backend (STORAGE_BACKEND=azure) as the env contract builds it for a deployed
service. Uploads, downloads, deletion and the health check run against Azurite (npm, loopback)
with its development key in tests/app/test_app_media_stores.py.

What cannot run here: a managed identity (only Azure's instance metadata endpoint issues its
tokens to Azure Storage, and Azurite takes OAuth only over HTTPS). Its configuration is checked
instead: without keys the backend is given a ManagedIdentityCredential and no key, and that
credential asks the Container Apps token endpoint (here a loopback stand-in) for the identity
named by AZURE_CLIENT_ID; settings that are incomplete name the variable.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured


@pytest.fixture
def identity_endpoint(monkeypatch) -> Iterator[list[dict[str, list[str]]]]:
    """A loopback stand-in for the token endpoint Container Apps gives a container
    (IDENTITY_ENDPOINT / IDENTITY_HEADER): it records each token request's query."""
    asked: list[dict[str, list[str]]] = []

    class Tokens(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert self.headers["X-IDENTITY-HEADER"] == "header-secret"
            asked.append(parse_qs(urlsplit(self.path).query))
            body = json.dumps(
                {
                    "access_token": "token",
                    "expires_on": str(int(time.time()) + 3600),
                    "resource": "https://storage.azure.com",
                    "token_type": "Bearer",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Tokens)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"http://127.0.0.1:{server.server_port}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", "header-secret")
    yield asked
    server.shutdown()


def test_without_keys_the_backend_is_the_user_assigned_managed_identity(
    monkeypatch, identity_endpoint
):
    from azure.identity import ManagedIdentityCredential
    from config.storage import media_storage

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://trudeployprod.blob.core.windows.net/")
    monkeypatch.setenv("AZURE_CLIENT_ID", "00000000-0000-0000-0000-00000000c11d")
    entry = media_storage("azure")
    assert entry["BACKEND"] == "storages.backends.azure_storage.AzureStorage"
    options = dict(entry["OPTIONS"])
    credential = options.pop("token_credential")
    assert isinstance(credential, ManagedIdentityCredential)
    # No key, no connection string: every request carries the identity's token, and download
    # URLs are user-delegation SAS.
    assert options == {
        "azure_container": "media",
        "overwrite_files": False,
        "expiration_secs": 3600,
        "account_name": "trudeployprod",
        "endpoint_suffix": "core.windows.net",
    }
    # The token is asked for the identity the platform assigned (by its client id), not
    # whichever one the host offers first.
    assert credential.get_token("https://storage.azure.com/.default").token == "token"
    assert identity_endpoint[0]["client_id"] == ["00000000-0000-0000-0000-00000000c11d"]
    assert identity_endpoint[0]["resource"] == ["https://storage.azure.com"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AWS_S3_ENDPOINT_URL": ""}, "AWS_S3_ENDPOINT_URL"),
        ({"AWS_S3_ENDPOINT_URL": "http://acct.blob.core.windows.net"}, "AWS_S3_ENDPOINT_URL"),
        ({"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:10000/devstoreaccount1"}, "AWS_ACCESS_KEY_ID"),
        ({"AWS_ACCESS_KEY_ID": "acct"}, "AWS_SECRET_ACCESS_KEY"),
    ],
)
def test_incomplete_azure_settings_name_the_variable(monkeypatch, env, named):
    from config.storage import media_storage

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://acct.blob.core.windows.net")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ImproperlyConfigured, match=named):
        media_storage("azure")
