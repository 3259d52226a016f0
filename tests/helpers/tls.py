"""TLS for tests: a certificate authority and a server certificate for loopback
made with ``cryptography``, and Debian's haproxy terminating TLS with the
repository's own ``deploy/haproxy.cfg`` in front of a portal process."""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

from tests.helpers.haproxy import BINARY
from tests.helpers.processes import free_port
from tests.helpers.processes import shutdown
from tests.helpers.processes import stop
from tests.helpers.skips import unavailable

#: the configuration a deployment uses, run unchanged
CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"


@dataclass(frozen=True)
class Certificates:
    """Where the files are: the CA's certificate (for ``verify=``) and the
    server's certificate followed by its key (haproxy's ``crt``)."""

    ca_file: Path
    server_pem: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(folder: Path) -> Certificates:
    """A CA, and a certificate it signed for ``localhost`` and ``127.0.0.1``,
    valid from an hour ago for a day, written in ``folder``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Skiff test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_pem = folder / "server.pem"
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(server_pem, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(server.public_bytes(serialization.Encoding.PEM) + key_pem)
    return Certificates(ca_file=ca_file, server_pem=server_pem)


class TlsProxy:
    """``haproxy -f deploy/haproxy.cfg -db`` with HTTPS and plain HTTP on free
    loopback ports, in front of ``backend`` (``host:port``).

    Use it as a context manager, or call :meth:`close`; it is stopped and its
    folder removed at exit in any case.
    """

    def __init__(self, backend: str, certificates: Certificates, binary: str = BINARY) -> None:
        if not os.access(binary, os.X_OK):
            unavailable(f"{binary} is missing", "apt-get install haproxy")
        self.binary = binary
        self.certificates = certificates
        self.https_port = free_port()
        self.http_port = free_port()
        self.folder = tempfile.mkdtemp(prefix="skiff-tls-proxy-")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "SKIFF_HTTPS_BIND": f"127.0.0.1:{self.https_port}",
            "SKIFF_HTTP_BIND": f"127.0.0.1:{self.http_port}",
            "SKIFF_TLS_PEM": str(certificates.server_pem),
            "SKIFF_BACKEND": backend,
        }
        self._processes: list[subprocess.Popen[bytes]] = []
        self._finalizer = weakref.finalize(self, shutdown, self._processes, self.folder)

    @property
    def url(self) -> str:
        """The portal's public URL: HTTPS on the proxy."""
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        """Plain HTTP on the proxy (redirected to HTTPS)."""
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 15.0) -> TlsProxy:
        """Check the configuration, start haproxy, and wait until the portal
        answers through it over verified HTTPS."""
        check = subprocess.run(
            [self.binary, "-c", "-f", str(CONFIG)], env=self.env, capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"haproxy refuses {CONFIG}:\n{check.stdout}{check.stderr}")
        with open(os.path.join(self.folder, "haproxy.log"), "ab") as log:
            process = subprocess.Popen(
                [self.binary, "-f", str(CONFIG), "-db"],
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._processes.append(process)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not serve the portal:\n{self.log()}")
            time.sleep(0.1)
        return self

    def session(self) -> requests.Session:
        """A client that trusts the test CA only and no proxy of the environment."""
        http = requests.Session()
        http.trust_env = False
        http.verify = str(self.certificates.ca_file)
        return http

    def handshake(self) -> ssl.SSLObject | ssl.SSLSocket:
        """A verified TLS connection to the HTTPS port (closed by the caller)."""
        context = ssl.create_default_context(cafile=str(self.certificates.ca_file))
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=5)
        return context.wrap_socket(raw, server_hostname="127.0.0.1")

    def stop(self) -> None:
        """Stop haproxy (SIGTERM) and wait until it is gone."""
        stop(self._processes)

    def close(self) -> None:
        """Stop haproxy and remove its folder."""
        self._finalizer()

    def log(self) -> str:
        """What haproxy printed (the last 4000 characters)."""
        try:
            with open(os.path.join(self.folder, "haproxy.log"), errors="replace") as log:
                return log.read()[-4000:]
        except OSError:
            return ""

    def _answers(self) -> bool:
        with self.session() as http:
            try:
                response = http.get(f"{self.url}/auth/login", timeout=2, allow_redirects=False)
            except requests.RequestException:
                return False
        return response.status_code == 200

    def __enter__(self) -> TlsProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
