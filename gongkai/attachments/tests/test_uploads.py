"""validate_upload: real content against the extension, sizes, names (no database)."""

import hashlib
import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from gongkai import safezip
from gongkai.attachments import uploads
from gongkai.attachments.tests import files
from gongkai.attachments.uploads import UploadRejected, safe_display_name, validate_upload


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def rejected(name, data, **kw):
    with pytest.raises(UploadRejected) as error:
        validate_upload(upload(name, data), max_bytes=kw.pop("max_bytes", 10**7), **kw)
    return str(error.value)


# ---- accepted files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("申请书.pdf", files.PDF, "application/pdf"),
        ("身份证.JPG", files.JPEG, "image/jpeg"),
        ("身份证.jpeg", files.JPEG, "image/jpeg"),
        ("截图.png", files.png(), "image/png"),
        ("申请.docx", files.docx_bytes(), uploads.DOCX),
        ("清单.xlsx", files.xlsx_bytes(), uploads.XLSX),
        ("电子公文.ofd", files.ofd_bytes(), "application/ofd"),
        ("说明.txt", "申请公开治安案件统计。".encode(), "text/plain; charset=utf-8"),
        ("说明.txt", "申请公开治安案件统计。".encode("gb18030"), "text/plain; charset=gb18030"),
    ],
)
def test_real_files_are_accepted_with_the_type_their_content_has(name, data, content_type):
    # The client claims text/html; the stored type comes from the content.
    info = validate_upload(upload(name, data, "text/html"), max_bytes=10**7)
    assert info.content_type == content_type
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.safe_name == name
    assert info.extension == name.rpartition(".")[2].lower()


def test_a_plain_seekable_file_works_too():
    stream = io.BytesIO(files.PDF)
    stream.name = "a.pdf"
    assert validate_upload(stream, max_bytes=1000).size == len(files.PDF)


# ---- disguised files -----------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused_saying_what_it_is_and_what_is_accepted():
    message = rejected("申请书.pdf", files.EXE)
    assert "Windows 可执行程序" in message
    assert "扩展名是 .pdf" in message
    assert "可接受的文件类型：PDF、JPG 图片、PNG 图片" in message


def test_html_renamed_png_or_jpg_is_refused():
    assert "网页或标记语言文件" in rejected("照片.png", files.HTML)
    assert "网页或标记语言文件" in rejected("照片.jpg", b"\n  <svg onload=alert(1)></svg>")


def test_html_renamed_txt_is_refused_even_though_it_is_text():
    assert "网页或标记语言文件" in rejected("说明.txt", files.HTML)
    assert "网页或标记语言文件" in rejected("说明.txt", b"hello <script>x()</script>")


def test_a_zip_renamed_docx_is_refused():
    message = rejected("申请.docx", files.zip_bytes({"a.txt": b"hello"}))
    assert "ZIP 压缩包" in message


def test_a_docx_renamed_xlsx_and_the_reverse_are_refused():
    assert "Word 文档（docx）" in rejected("表.xlsx", files.docx_bytes())
    assert "Excel 表格（xlsx）" in rejected("文.docx", files.xlsx_bytes())


def test_a_pdf_renamed_jpg_is_refused():
    assert "内容是PDF" in rejected("照片.jpg", files.PDF)


def test_macro_documents_and_programs_in_zip_clothing_are_refused():
    docm = files.zip_bytes(
        {
            "[Content_Types].xml": b"application/vnd.ms-word.document.macroEnabled.main+xml",
            "word/document.xml": b"<w/>",
            "word/vbaProject.bin": b"\x00",
        }
    )
    assert "含宏" in rejected("申请.docx", docm)
    jar = files.zip_bytes({"META-INF/MANIFEST.MF": b"Main-Class: x"})
    assert "Java" in rejected("申请.docx", jar)


def test_a_broken_zip_is_refused_as_damaged():
    assert "损坏" in rejected("申请.docx", b"PK\x03\x04" + b"\x00" * 40)


def test_a_zip_bomb_docx_is_refused_without_unpacking_it():
    bomb = files.zip_bytes(
        {
            "[Content_Types].xml": b"wordprocessingml.document.main+xml",
            "word/document.xml": b"<w/>",
            "word/media/fill.bin": b"\x00" * (40 * 1024 * 1024),
        }
    )
    assert len(bomb) < 100_000
    assert "压缩炸弹" in rejected("申请.docx", bomb)


def test_a_zip_with_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(safezip, "MAX_ENTRIES", 10)
    many = files.zip_bytes({f"p{i}": b"x" for i in range(11)})
    assert "11 个部件" in rejected("申请.docx", many)


def test_an_encrypted_office_file_is_named_as_such():
    assert "旧版 Office 文档" in rejected(
        "申请.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64
    )


def test_text_must_have_no_nul_and_a_known_encoding():
    assert "二进制" in rejected("说明.txt", b"abc\x00def")
    assert "UTF-16" in rejected("说明.txt", "申请".encode("utf-16"))
    assert "无法识别编码" in rejected("说明.txt", b"\x81\x20\xff\xfe\x80")


def test_text_that_merely_starts_with_mz_is_still_text():
    assert validate_upload(upload("说明.txt", b"MZ county request"), max_bytes=100).size == 17


# ---- size ----------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert "是空的（0 字节）" in rejected("申请书.pdf", b"")


def test_an_oversized_file_is_refused_with_both_sizes():
    message = rejected("申请书.pdf", files.PDF + b"\0" * 2000, max_bytes=1024)
    assert "超过 1 KB 的上限" in message


def test_the_size_limit_holds_even_if_the_declared_size_lies():
    lying = upload("申请书.pdf", files.PDF + b" " * 5000)
    lying.size = 10
    with pytest.raises(UploadRejected, match="上限"):
        validate_upload(lying, max_bytes=1024)


def test_the_default_limit_comes_from_the_setting(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(UploadRejected, match="100 字节"):
        validate_upload(upload("a.pdf", files.PDF + b" " * 100))


def test_a_file_exactly_at_the_limit_is_accepted():
    data = files.PDF + b" " * (1024 - len(files.PDF))
    assert validate_upload(upload("a.pdf", data), max_bytes=1024).size == 1024


# ---- names and extensions ------------------------------------------------------------


def test_extensions_outside_the_list_are_refused_by_name():
    assert "不接受 .exe 类型的文件" in rejected("程序.exe", files.EXE)
    assert "没有扩展名" in rejected("申请书", files.PDF)


def test_the_allowed_list_can_be_narrowed():
    message = rejected("照片.png", files.png(), allowed={"pdf"})
    assert "不接受 .png" in message and "可接受的文件类型：PDF。" in message


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\申请.pdf", "申请.pdf"),
        ("C:\\Users\\张三\\桌面\\身份证.jpg", "身份证.jpg"),
        ("/var/www/申请.pdf", "申请.pdf"),
        ("申请.pdf\x00.exe", "申请.pdf.exe"),
        ("\u202egpj.exe", "gpj.exe"),  # right-to-left override dropped
        ("a\tb\nc.pdf", "a b c.pdf"),
        ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
        ("..", "附件"),
        ("", "附件"),
        ("  . 申请 .pdf . ", "申请 .pdf"),
    ],
)
def test_display_names_are_sanitised(raw, safe):
    assert safe_display_name(raw) == safe


def test_path_tricks_never_reach_an_accepted_name():
    assert "没有扩展名" in rejected("../../etc/passwd", b"root:x:0:0")
    assert "不接受 .exe" in rejected("申请.pdf\x00.exe", files.PDF)
    info = validate_upload(upload("../../../申请.pdf", files.PDF), max_bytes=1000)
    assert info.safe_name == "申请.pdf"


def test_very_long_names_are_cut_keeping_the_extension():
    name = safe_display_name("申" * 500 + ".pdf")
    assert len(name) <= uploads.NAME_MAX_CHARS
    assert name.endswith("….pdf")
    info = validate_upload(upload("长" * 300 + ".pdf", files.PDF), max_bytes=1000)
    assert len(info.safe_name) <= uploads.NAME_MAX_CHARS and info.extension == "pdf"


@given(st.text(max_size=400))
def test_safe_names_never_hold_paths_or_control_characters(raw):
    name = safe_display_name(raw)
    assert name and len(name) <= uploads.NAME_MAX_CHARS
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert all(ord(ch) >= 32 for ch in name)
    assert name not in {".", ".."}
    assert safe_display_name(name) == name


def test_a_zip_member_that_lies_about_its_size_does_not_unpack():
    # Incompressible, so that the shared check's per-part ratio limit lets it through
    # and the manifest reader's own limit is what refuses it.
    manifest = random.Random(1).randbytes(uploads.MANIFEST_MAX_BYTES + 10)
    data = files.zip_bytes(
        {"[Content_Types].xml": manifest, "word/document.xml": b""},
        compression=zipfile.ZIP_DEFLATED,
    )
    assert "ZIP 压缩包" in rejected("a.docx", data)


def test_one_highly_compressed_part_is_refused_as_a_bomb():
    data = files.zip_bytes(
        {"[Content_Types].xml": b"x" * (uploads.MANIFEST_MAX_BYTES + 10), "word/document.xml": b""},
        compression=zipfile.ZIP_DEFLATED,
    )
    assert "压缩炸弹" in rejected("a.docx", data)
