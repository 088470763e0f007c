"""letters.pdf: finding LibreOffice and running it.

LibreOffice is not installed on the development machine, so the conversion itself
is tested only where it is (test_views.test_pdf_with_libreoffice). Here a small
shell script named `soffice` stands in for it on PATH, to test what our code does
around the subprocess: the arguments, a missing output, a failure, a timeout.
"""

import os
import time

import pytest

from gongkai.letters import pdf


def fake_soffice(directory, script):
    path = directory / "soffice"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def test_no_converter_on_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert pdf.converter() is None
    with pytest.raises(pdf.PdfError, match="本机未安装 PDF 转换组件"):
        pdf.to_pdf(b"PK")


def test_the_converter_is_called_headless_and_its_output_read(monkeypatch, tmp_path):
    # The last two arguments are the output directory's option value and the source file.
    script = (
        'for a; do last2="$last1"; last1="$a"; done\n'
        'case "$*" in *--headless*--convert-to\\ pdf*) ;; *) exit 9 ;; esac\n'
        'printf "%%PDF-1.4 fake" > "$last2/letter.pdf"\n'
    )
    fake_soffice(tmp_path, script)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    assert pdf.converter() == str(tmp_path / "soffice")
    assert pdf.to_pdf(b"PK docx") == b"%PDF-1.4 fake"


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("exit 1\n", "PDF 转换失败"),
        ("exit 0\n", "PDF 转换失败"),
        ("sleep 30 & sleep 30\n", "超过 1 秒"),
    ],
)
def test_failures_are_explained(monkeypatch, tmp_path, script, message):
    fake_soffice(tmp_path, script)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    started = time.monotonic()
    with pytest.raises(pdf.PdfError, match=message):
        pdf.to_pdf(b"PK", timeout=1)
    assert time.monotonic() - started < 10  # a hung converter and its children are killed
