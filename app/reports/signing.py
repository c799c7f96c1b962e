"""Sign debrief PDFs (PAdES, with pyHanko) and check a signed one.

The signing key and certificate come from configuration (PDF_SIGNING_KEY,
PDF_SIGNING_CERT, PDF_SIGNING_KEY_PASSPHRASE: PEM files, the certificate file
may carry its chain). Without them the embedded default makes a self-signed
key and certificate on first use under the instance folder (or
PDF_SIGNING_DIR), written once: several processes starting together keep
whichever file was linked into place first.

A check says "valid" only when the signature is intact, covers the whole
file (nothing was appended after signing), and was made with this instance's
certificate.
"""

import asyncio
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

DEFAULT_FILE = "debrief-signing.pem"
FIELD = "DebriefSignature"
REASON = "Debrief report issued by the hiring loop tracker"
RESERVED = 16384  # bytes for the CMS signature: an ECDSA or RSA-4096 signature with a short chain fits


def default_identity_path(app) -> Path:
    folder = app.config.get("PDF_SIGNING_DIR") or os.path.join(app.instance_path, "signing")
    return Path(folder) / DEFAULT_FILE


def make_self_signed() -> bytes:
    """Return a new P-256 key and a ten-year self-signed certificate for it, both PEM, in one blob."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hiring loop tracker debrief reports"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Self-signed by this instance")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))


def ensure_default_identity(path: Path) -> bytes:
    """Return the embedded default's key and certificate, making them on first use."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as tmp:
        os.chmod(tmp.name, 0o600)
        tmp.write(make_self_signed())
    try:
        os.link(tmp.name, path)  # fails if another process got there first; theirs stands
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp.name)
    return path.read_bytes()


@dataclass(frozen=True)
class Identity:
    key_pem: bytes
    certs_pem: bytes
    passphrase: bytes | None = None


def identity(app=None) -> Identity:
    """Return the configured signing identity, or the embedded default's.

    Read once per process and setting: replacing the key files in place takes a restart, as a deploy does.
    """
    app = app or current_app
    key_file, cert_file = app.config.get("PDF_SIGNING_KEY"), app.config.get("PDF_SIGNING_CERT")
    if key_file and cert_file:
        return _configured_identity(key_file, cert_file, app.config.get("PDF_SIGNING_KEY_PASSPHRASE") or None)
    return _default_identity(default_identity_path(app))


@cache
def _configured_identity(key_file: str, cert_file: str, passphrase: str | None) -> Identity:
    return Identity(Path(key_file).read_bytes(), Path(cert_file).read_bytes(),
                    passphrase.encode() if passphrase else None)


@cache
def _default_identity(path: Path) -> Identity:
    blob = ensure_default_identity(path)
    return Identity(blob, blob)


@cache
def _signer(key_pem: bytes, certs_pem: bytes, passphrase: bytes | None) -> signers.SimpleSigner:
    certs = list(load_certs_from_pemder_data(certs_pem))
    key = load_private_key_from_pemder_data(key_pem, passphrase)
    return signers.SimpleSigner(signing_cert=certs[0], signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs(certs))


def signer(app=None) -> signers.SimpleSigner:
    found = identity(app)
    return _signer(found.key_pem, found.certs_pem, found.passphrase)


def certificate_fingerprint(app=None) -> str:
    """Return the SHA-256 of the signing certificate, so a new key never serves a PDF signed with the old one."""
    return signer(app).signing_cert.sha256.hex()


def outside_event_loop(fn, *args):
    """Call `fn`, on a thread of its own if this thread runs an asyncio loop.

    pyHanko's synchronous calls start one with `asyncio.run`, which refuses to
    run inside another (a worker or a test harness that drives one).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def sign_pdf(pdf: bytes) -> bytes:
    """Return the PDF with a PAdES signature by this instance's key."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=SigSeedSubFilter.PADES,
                                            md_algorithm="sha256", reason=REASON)
    # A fixed reservation spares pyHanko a trial signature to measure one (it halves the cost).
    pdf_signer = signers.PdfSigner(metadata, signer=signer())
    return outside_event_loop(lambda: pdf_signer.sign_pdf(writer, bytes_reserved=RESERVED).getvalue())


@dataclass(frozen=True)
class Check:
    """What checking a PDF found: valid, and in words why or why not."""

    is_valid: bool
    message: str


def check_pdf(data: bytes, app=None) -> Check:
    """Check a debrief PDF's signature against this instance's certificate."""
    ours = signer(app).signing_cert
    try:
        embedded = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    except Exception as error:  # noqa: BLE001 - any parse failure of a signed file means it was changed
        return Check(False, f"the file cannot be read as a PDF any more ({type(error).__name__}); it was altered.")
    if not embedded:
        return Check(False, "the file carries no signature.")
    signature = embedded[-1]
    try:
        status = outside_event_loop(validate_pdf_signature, signature, ValidationContext(trust_roots=[ours]))
    except (SignatureValidationError, ValueError, KeyError) as error:
        return Check(False, f"the signature cannot be checked ({error}); the file was altered.")
    who = status.signing_cert.subject.human_friendly
    if not status.intact or not status.valid:
        return Check(False, "the content no longer matches its signature: the file was altered after signing.")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Check(False, "something was added to the file after it was signed.")
    if status.signing_cert.sha256 != ours.sha256:
        return Check(False, f"the signature is intact but was made by another certificate ({who}).")
    when = status.signer_reported_dt.isoformat() if status.signer_reported_dt else "an unknown time"
    return Check(True, f"signed by {who} at {when}; unchanged since.")
