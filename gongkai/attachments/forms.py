"""Forms for the attachment section of the case page and the applicant's download."""

from django import forms

from gongkai.attachments.models import AttachmentKind
from gongkai.attachments.uploads import DEFAULT_ALLOWED, accepted_text

ACCEPT = ",".join(f".{ext}" for ext in sorted(DEFAULT_ALLOWED))


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件",
        help_text=accepted_text(DEFAULT_ALLOWED),
        error_messages={
            "required": "请选择要上传的文件。",
            "empty": "上传的文件是空的（0 字节），请检查后重新上传。",
            "invalid": "没有收到文件，请重新选择后上传。",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    kind = forms.ChoiceField(
        label="材料类别",
        choices=AttachmentKind.choices,
        error_messages={"required": "请选择材料类别。", "invalid_choice": "请选择列出的材料类别。"},
    )
    visible_to_applicant = forms.BooleanField(label="申请人可在查询页面查看和下载", required=False)


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label="移除原因",
        max_length=200,
        error_messages={"required": "请填写移除原因。", "max_length": "移除原因最多 200 字。"},
    )


class ApplicantDownloadForm(forms.Form):
    tracking_number = forms.CharField(label="受理编号", max_length=40)
    query_code = forms.CharField(label="查询码", max_length=40)
