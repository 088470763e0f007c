"""The 年报体检 form: paste report text or upload a report file."""

from pathlib import PurePath

from django import forms
from django.conf import settings

from . import extract, samples

# Extension -> what the file must look like inside (checked on the first bytes).
BINARY_MAGIC = {
    ".docx": (b"PK\x03\x04", "Word（.docx）文件本质上是 ZIP 压缩包"),
    ".pdf": (b"%PDF", "PDF 文件应以“%PDF”开头"),
    ".png": (b"\x89PNG", "PNG 图片应以 89 50 4E 47 开头"),
    ".jpg": (b"\xff\xd8\xff", "JPEG 图片应以 FF D8 FF 开头"),
    ".jpeg": (b"\xff\xd8\xff", "JPEG 图片应以 FF D8 FF 开头"),
}
# What the engine can read, declared there once; scans (images) are read by OCR.
ALLOWED_EXTENSIONS = extract.ALLOWED + extract.IMAGES
ACCEPT = ",".join(ALLOWED_EXTENSIONS)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def size_text(n):
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def sniff(name, head):
    """None if the first bytes fit the extension, else a Chinese reason."""
    ext = PurePath(name).suffix.lower()
    if ext in BINARY_MAGIC:
        magic, what = BINARY_MAGIC[ext]
        if not head.lstrip(b"\r\n\t ").startswith(magic):
            return f"“{name}”的内容与扩展名 {ext} 不符：{what}，这个文件不是。请上传原始文件，不要只改扩展名。"
        return None
    for magic, kind in ((b"PK\x03\x04", "Word 或压缩包"), (b"%PDF", "PDF")):
        if head.startswith(magic):
            return f"“{name}”看起来是{kind}文件，却以 {ext} 结尾。请改正扩展名后重新上传。"
    if b"\x00" in head and not head.startswith(UTF16_BOMS):
        return f"“{name}”不是文本文件（含有二进制内容）。请上传年报原文件，或粘贴正文。"
    return None


class CheckupForm(forms.Form):
    text = forms.CharField(
        label="粘贴年报全文",
        required=False,
        strip=True,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "placeholder": "从网站或文档中复制整份年度报告（含标题、正文和各统计表），粘贴到这里。",
            }
        ),
    )
    file = forms.FileField(
        label="或上传年报文件",
        required=False,
        error_messages={"empty": "上传的文件是空的，请检查后重新上传。"},
        help_text="支持 " + " ".join(ALLOWED_EXTENSIONS) + "。",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        limit = settings.REPORT_UPLOAD_MAX_BYTES
        if len(text.encode("utf-8")) > limit:
            raise forms.ValidationError(
                f"粘贴的文本太长（超过 {size_text(limit)}）。年度报告通常不到 1 MB，请只粘贴一份报告。"
            )
        return text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload:
            return upload
        name = PurePath(upload.name).name
        ext = PurePath(name).suffix.lower()
        if ext not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(
                f"不支持“{name}”这种文件类型（{ext or '没有扩展名'}）。"
                f"请上传 {' '.join(ALLOWED_EXTENSIONS)} 文件；.doc 或 .wps 请先另存为 .docx。"
            )
        limit = settings.REPORT_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件“{name}”太大（{size_text(upload.size)}），上限是 {size_text(limit)}。"
                "请压缩图片或只上传年度报告本身。"
            )
        if upload.size == 0:
            raise forms.ValidationError(f"文件“{name}”是空的，请检查后重新上传。")
        upload.seek(0)
        problem = sniff(name, upload.read(4096))
        if problem:
            raise forms.ValidationError(problem)
        upload.seek(0)
        return upload

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError("请粘贴年报全文，或选择一个年报文件上传。")
        if data.get("text") and data.get("file"):
            raise forms.ValidationError(
                "请只选择一种方式：要么粘贴文本，要么上传文件。如要检查上传的文件，请先清空文本框。"
            )
        return data


class SampleForm(forms.Form):
    sample = forms.ChoiceField(label="示例报告", choices=samples.choices, initial=samples.DEFAULT)
