"""A throwaway public-key infrastructure for signing tests, made with certomancer (as pyHanko's own tests do):
a root CA, an intermediate CA that issues the bodies' certificates, an OCSP responder, CRLs and an RFC 3161
time-stamping authority (TSA), served over HTTP on this machine only (certomancer's Animator under Werkzeug).

Never a real key; nothing leaves 127.0.0.1. The certificates carry the server's address (OCSP, CRL and CA
issuer URLs), so the port is chosen when the PKI is made: one per pytest-xdist worker, in 12200–12299.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, KeyLabel
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.serving import make_server

ARCH = "plan65"
PASSWORD = "mat-khau-thu"
#: the bodies' certificates: label → (holder, organisation)
HOLDERS = {
    "khcn": ("Nguyễn Văn Ký", "Sở Khoa học và Công nghệ tỉnh Hưng Yên"),
    "congan": ("Lê Văn Công", "Công an tỉnh Hưng Yên"),
    "bcd": ("Nguyễn Văn An", "Văn phòng Tỉnh ủy Hưng Yên"),
}


KEY_LABELS = ["root", "interm", "interm-ocsp", "tsa", *HOLDERS]


def _port() -> int:
    """12200 for a lone pytest, 12210 + 10·n for xdist worker gwn: workers never share a port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    base = 12200 if not worker else 12210 + 10 * int(worker.removeprefix("gw") or 0) % 90
    for port in range(base, base + 10):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {base}–{base + 9}")


def _validity(start: datetime, days: int) -> dict:
    fmt = "%Y-%m-%dT%H:%M:%S+0000"
    return {"valid-from": start.strftime(fmt), "valid-to": (start + timedelta(days=days)).strftime(fmt)}


def _config(url: str, start: datetime) -> dict:
    entities = {
        "root": {"common-name": "CA gốc thử nghiệm (không dùng thật)", "organization-name": "Thử nghiệm"},
        "interm": {"common-name": "CA thử nghiệm cấp cho cơ quan", "organization-name": "Thử nghiệm"},
        "interm-ocsp": {"common-name": "OCSP thử nghiệm", "organization-name": "Thử nghiệm"},
        "tsa": {"common-name": "TSA thử nghiệm", "organization-name": "Thử nghiệm"},
    }
    certs = {
        "root": {
            "subject": "root",
            "subject-key": "root",
            "issuer": "root",
            "authority-key": "root",
            "validity": _validity(start, 3650),
            "profiles": [{"id": "simple-ca", "params": {"crl-repo": "root"}}],
        },
        "interm": {
            "issuer": "root",
            "validity": _validity(start, 3000),
            "profiles": [
                {"id": "simple-ca", "params": {"max-path-len": 0, "crl-repo": "interm", "ocsp-service": "interm"}}
            ],
        },
        "interm-ocsp": {"issuer": "interm", "validity": _validity(start, 3000), "profiles": ["ocsp-responder"]},
        "tsa": {
            "issuer": "root",
            "validity": _validity(start, 3000),
            "extensions": [
                {
                    "id": "key_usage",
                    "critical": True,
                    "smart-value": {"schema": "key-usage", "params": ["digital_signature"]},
                },
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
    }
    for label, (holder, organisation) in HOLDERS.items():
        entities[label] = {"common-name": holder, "organization-name": organisation, "country-name": "VN"}
        certs[label] = {
            "issuer": "interm",
            "validity": _validity(start, 730),
            "profiles": ["digsig-commitment"],
            "extensions": [
                {
                    "id": "authority_information_access",
                    "smart-value": {
                        "schema": "aia-urls",
                        "params": {
                            "ocsp-responder-names": ["interm"],
                            "ca-issuer-links": [{"repo": "interm", "include-repo-authority": True}],
                        },
                    },
                },
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}},
                },
            ],
        }
    return {
        "external-url-prefix": url,
        "keysets": {ARCH: {"keys": {label: {"path": f"{label}.key.pem"} for label in KEY_LABELS}}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN"},
                "entities": entities,
                "certs": certs,
                "services": {
                    "ocsp": {
                        "interm": {
                            "for-issuer": "interm",
                            "responder-cert": "interm-ocsp",
                            "signing-key": "interm-ocsp",
                        }
                    },
                    "crl-repo": {
                        "root": {"for-issuer": "root", "signing-key": "root", "simulated-update-schedule": "P90D"},
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P30D",
                        },
                    },
                    "cert-repo": {
                        "root": {"for-issuer": "root", "publish-issued-certs": True},
                        "interm": {"for-issuer": "interm", "publish-issued-certs": True},
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


@dataclass
class Pki:
    directory: Path
    port: int
    arch: object

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    @property
    def root(self) -> x509.Certificate:
        return self.arch.get_cert(CertLabel("root"))

    def cert(self, label: str) -> x509.Certificate:
        return self.arch.get_cert(CertLabel(label))

    def p12(self, label: str, password: str = PASSWORD) -> Path:
        """The body's key and certificate with the CA chain, as a password-protected PKCS#12 file."""
        path = self.directory / f"{label}.p12"
        if not path.exists():
            data = self.arch.package_pkcs12(
                CertLabel(label),
                key_label=KeyLabel(label),
                certs_to_embed=[CertLabel("interm"), CertLabel("root")],
                password=password.encode(),
            )
            path.write_bytes(data)
        return path

    def private_key(self, label: str):
        return self.arch.key_set.get_private_key(KeyLabel(label))

    @contextlib.contextmanager
    def online(self):
        """The OCSP responder, CRLs, CA certificates and TSA answer on 127.0.0.1 while inside this block."""
        server = make_server("127.0.0.1", self.port, Animator(AnimatorArchStore({ARCH: self.arch}), with_web_ui=False))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def pki_create(directory: Path) -> Pki:
    """Keys made afresh (EC P-256), certificates valid from an hour ago."""
    directory.mkdir(parents=True, exist_ok=True)
    for label in KEY_LABELS:
        key = ec.generate_private_key(ec.SECP256R1())
        (directory / f"{label}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    port = _port()
    start = datetime.now(UTC) - timedelta(hours=1)
    config = CertomancerConfig(_config(f"http://127.0.0.1:{port}", start), key_search_dir=str(directory))
    return Pki(directory=directory, port=port, arch=config.get_pki_arch(ArchLabel(ARCH)))


SOFTHSM_MODULE = os.environ.get("SOFTHSM2_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
TOKEN_LABEL, TOKEN_PIN = "plan65-thu", "1234"


def softhsm_token(directory: Path, pki: Pki, label: str) -> str:
    """A SoftHSM token (Debian's softhsm2) holding the ``label`` body's key and certificate with its chain, as an
    office's USB token would; returns the module's path. SOFTHSM2_CONF must name the token folder before the
    module is first loaded in this process, which reads it once."""
    import subprocess

    from certomancer.integrations.alchemist import Alchemist, DefaultAlchemistBackend, open_pkcs11_session

    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    util = shutil.which("softhsm2-util") or "softhsm2-util"
    subprocess.run(
        [util, "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN, "--so-pin", "5678"],
        check=True,
        capture_output=True,
    )
    session = open_pkcs11_session(SOFTHSM_MODULE, token_label=TOKEN_LABEL, pin=TOKEN_PIN)
    try:
        Alchemist(DefaultAlchemistBackend(session), pki.arch).store_key_bundles({CertLabel(label)})
    finally:
        session.close()
    return SOFTHSM_MODULE
