"""Report text -> interchange dict. (Being written; see issue 2.)"""

from .tables import empty_report


def parse_text(text, *, filename=None):
    report = empty_report(None)
    report["source"]["file"] = filename
    return report
