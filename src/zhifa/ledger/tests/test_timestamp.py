"""RFC 3161 time stamps on checkpoints, against a local test TSA made with
``openssl ts`` and served over HTTP in the test: never a network service (INF-05)."""

import http.server
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import transaction

from zhifa import ledger
from zhifa.ledger import checkpoint_store, timestamp
from zhifa.ledger.selectors import checkpoint_audit
from zhifa.ledger.services import checkpoint_issue

pytestmark = [pytest.mark.req("INF-05"), pytest.mark.django_db]

TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {dir}/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.156.1
other_policies = 1.2.156.2
digests = sha256, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ v3_tsa ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
"""


def _run(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """A CA, a TSA certificate it signed, and an HTTP TSA answering with ``openssl ts -reply``."""
    d = tmp_path_factory.mktemp("tsa")
    (d / "tsa.cnf").write_text(TSA_CONFIG.format(dir=d))
    (d / "serial").write_text("01\n")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=Test CA", cwd=d)
    _run("req", *ec, "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Test TSA", cwd=d)
    _run(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.crt", "-days", "30",
        "-extfile", "tsa.cnf", "-extensions", "v3_tsa", cwd=d,
    )  # fmt: skip
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                (d / "q.tsq").write_bytes(body)
                _run(
                    "ts", "-reply", "-queryfile", "q.tsq", "-inkey", "tsa.key",
                    "-signer", "tsa.crt", "-config", "tsa.cnf", "-out", "r.tsr", cwd=d,
                )  # fmt: skip
                reply = (d / "r.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_port}/", "ca": str(d / "ca.crt"), "dir": d}
    server.shutdown()


def _append():
    with transaction.atomic():
        ledger.append(actor=None, action="test.timestamp")


def test_each_checkpoint_gets_a_token_that_verify_checks(settings, tsa):
    settings.ZHIFA_TSA_URL = tsa["url"]
    settings.ZHIFA_TSA_CA_FILE = tsa["ca"]
    _append()
    checkpoint = checkpoint_issue()
    token = checkpoint_store.read_token(checkpoint.size)
    assert token
    stamped = timestamp.verify(checkpoint.note.encode(), token)
    assert abs((stamped - checkpoint.issued_at).total_seconds()) < 120
    assert checkpoint_audit() == []


def test_a_token_for_other_data_or_a_broken_token_is_found(settings, tsa):
    settings.ZHIFA_TSA_URL = tsa["url"]
    settings.ZHIFA_TSA_CA_FILE = tsa["ca"]
    _append()
    first = checkpoint_issue()
    _append()
    settings.ZHIFA_TSA_URL = ""  # the TSA was not configured for the second one
    second = checkpoint_issue()
    findings = checkpoint_audit()
    assert [(f.kind, f.path) for f in findings] == [
        ("missing", str(checkpoint_store.token_path_for(second.size)))
    ]
    # A token copied from another checkpoint does not cover this note.
    Path(checkpoint_store.token_path_for(second.size)).write_bytes(
        checkpoint_store.read_token(first.size)
    )
    findings = checkpoint_audit()
    assert findings[0].kind == "signature_invalid" and "时间戳无效" in findings[0].message


def test_a_token_from_an_untrusted_ca_is_refused(settings, tsa, tmp_path):
    settings.ZHIFA_TSA_URL = tsa["url"]
    _append()
    checkpoint = checkpoint_issue()
    other = tmp_path / "other-ca.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(tmp_path / "k"), "-out", str(other), "-subj", "/CN=Other"],
        check=True, capture_output=True,
    )  # fmt: skip
    with pytest.raises(timestamp.TimestampError):
        timestamp.verify(
            checkpoint.note.encode(), checkpoint_store.read_token(checkpoint.size), str(other)
        )


def test_an_unreachable_tsa_does_not_stop_the_checkpoint(settings):
    settings.ZHIFA_TSA_URL = "http://127.0.0.1:9/"
    _append()
    checkpoint = checkpoint_issue()
    assert checkpoint is not None and checkpoint_store.read_token(checkpoint.size) is None
