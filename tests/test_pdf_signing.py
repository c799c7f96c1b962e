"""Signed debrief PDFs: the download carries a PAdES signature; `flask verify-pdf` tells valid from altered."""

import re
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.reports import pdf, signing
from app.reports.data import fingerprint, report_data
from tests.test_debrief_pdf import debriefed_loop, download


@pytest.fixture
def loop_id(app, hiring_manager, bar_raiser, recruiter, interviewer):
    with app.app_context():
        return debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer)


@pytest.fixture
def signed(client, auth, hiring_manager, loop_id, tmp_path):
    response = download(client, auth, hiring_manager, loop_id)
    assert response.status_code == 200
    path = tmp_path / "debrief.pdf"
    path.write_bytes(response.data)
    return path


def verify(runner, path):
    result = runner.invoke(args=["verify-pdf", str(path)])
    return result.exit_code, result.output


def test_a_downloaded_debrief_pdf_is_signed_and_verifies(runner, signed):
    with signed.open("rb") as file:
        (signature,) = PdfFileReader(file, strict=False).embedded_signatures
        assert signature.field_name == "DebriefSignature"
        assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    code, output = verify(runner, signed)
    assert code == 0 and output.startswith("Valid: signed by") and "unchanged since" in output


def test_changing_one_byte_makes_it_fail(runner, signed, tmp_path):
    data = bytearray(signed.read_bytes())
    data[data.index(b"stream", 2000) + 40] ^= 0x01  # one bit of one page's content
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(bytes(data))
    code, output = verify(runner, altered)
    assert code == 1 and "altered" in output


def test_appending_to_a_signed_pdf_makes_it_fail(runner, signed, tmp_path):
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(signed.read_bytes() + b"\n1 0 obj (forged) endobj\n")
    code, output = verify(runner, appended)
    assert code == 1 and "added to the file after it was signed" in output


def test_an_unsigned_or_foreign_signed_pdf_is_not_valid(app, runner, signed, tmp_path):
    with app.app_context():
        unsigned = tmp_path / "unsigned.pdf"
        unsigned.write_bytes(pdf.render_pdf("<!doctype html><p>Not a debrief.</p>"))
    assert verify(runner, unsigned) == (1, "NOT VALID: the file carries no signature.\n")
    app.config["PDF_SIGNING_DIR"] = str(tmp_path / "another-instance")
    signing._signer.cache_clear()
    code, output = verify(runner, signed)
    assert code == 1 and "made by another certificate" in output
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"not a pdf at all")
    assert verify(runner, garbage)[0] == 1


def test_the_configured_key_signs_instead_of_the_default(app, runner, client, auth, hiring_manager, loop_id,
                                                         tmp_path):
    blob = signing.make_self_signed()
    key, cert = blob.split(b"-----BEGIN CERTIFICATE-----")
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "cert.pem").write_bytes(b"-----BEGIN CERTIFICATE-----" + cert)
    app.config.update(PDF_SIGNING_KEY=str(tmp_path / "key.pem"), PDF_SIGNING_CERT=str(tmp_path / "cert.pem"))
    path = tmp_path / "configured.pdf"
    path.write_bytes(download(client, auth, hiring_manager, loop_id).data)
    assert verify(runner, path)[0] == 0
    assert not (tmp_path / "signing").exists()  # no default pair was made


def test_the_default_pair_is_made_once_under_the_instance_folder(app, signed, tmp_path):
    pem = (tmp_path / "signing" / signing.DEFAULT_FILE)
    assert pem.exists() and oct(pem.stat().st_mode)[-3:] == "600"
    assert b"PRIVATE KEY" in pem.read_bytes() and b"CERTIFICATE" in pem.read_bytes()
    first = pem.read_bytes()
    with app.app_context():
        signing.identity()
    assert pem.read_bytes() == first


def test_the_cache_serves_the_signed_pdf(app, client, auth, hiring_manager, loop_id, runner, tmp_path):
    first = download(client, auth, hiring_manager, loop_id).data
    second = download(client, auth, hiring_manager, loop_id).data
    assert first == second
    cached = list((tmp_path / "pdf-cache").rglob("*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == first
    assert verify(runner, cached[0])[0] == 0


def test_the_signed_pdf_still_shows_its_content_fingerprint(app, signed, loop_id):
    text = subprocess.run(["pdftotext", str(signed), "-"], capture_output=True, check=True).stdout.decode()
    with app.app_context():
        from app.extensions import db
        from app.loops.models import Loop

        expected = fingerprint(report_data(db.session.get(Loop, loop_id)))
    assert expected[:16] in re.sub(r"\s", "", text)

