"""DOCX → PDF with LibreOffice, when the machine has it; nothing is bundled for this.

`converter()` looks for `soffice` / `libreoffice` on PATH at call time. Without
one the pages say so (UNAVAILABLE) and offer the DOCX. The conversion runs
headless in a subprocess with its own throw-away profile and a timeout.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

UNAVAILABLE = "本机未安装 PDF 转换组件，请下载 DOCX。"
TIMEOUT_SECONDS = 60


class PdfError(Exception):
    """The conversion failed or is not possible; the message is Chinese."""


def converter():
    """The LibreOffice executable, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


def to_pdf(docx_bytes, *, timeout=TIMEOUT_SECONDS):
    """PDF bytes for a DOCX; raises PdfError (Chinese) when it cannot be made."""
    program = converter()
    if program is None:
        raise PdfError(UNAVAILABLE)
    with tempfile.TemporaryDirectory(prefix="gongkai-pdf-") as tmp:
        work = Path(tmp)
        source = work / "letter.docx"
        source.write_bytes(docx_bytes)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            # Its own session: on timeout the whole group goes (soffice starts soffice.bin).
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            raise PdfError("PDF 转换失败，请下载 DOCX。") from None
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise PdfError(f"PDF 转换超过 {timeout} 秒仍未完成，请下载 DOCX。") from None
        if status != 0:
            raise PdfError("PDF 转换失败，请下载 DOCX。")
        target = work / "letter.pdf"
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            raise PdfError("PDF 转换失败，请下载 DOCX。")
        return target.read_bytes()


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
