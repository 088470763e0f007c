"""Turn an input file (txt, html, docx, pdf) into report text. Pure Python."""


class UnsupportedInput(ValueError):
    """The input is not something we can read; the message is Chinese, for people."""


def to_text(data, *, filename):
    # Placeholder until the extractors land: plain UTF-8 text only.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedInput("文件不是 UTF-8 文本。") from exc
