"""Figures stated in a 2008-era narrative report (2008 条例 Art. 32). Pure Python.

Such reports have no national table; we extract only what the text states,
each figure null when it says nothing (spec: `legacy`).
"""

import re

from .cells import MAX_DIGITS
from .tables import empty_legacy

_N = r"(\d[\d,]*(?:\.\d+)?)"
_RECEIVED = re.compile(
    r"(?:共|累计)?(?:收到|受理)[^。;；]{0,20}?(?:政府信息公开|信息公开)?申请"
    + _N
    + r"\s*(?:件|宗|个|份)"
)
_CHANNELS = {
    "online": r"(?:网络|网路|网上|互联网|在线)申请",
    "letter": r"(?:信函|邮寄|来信)申请",
    "fax": r"传真申请",
    "in_person": r"(?:当面|现场)申请",
    "email": r"(?:电子邮件|邮件)申请",
    "other": r"其他(?:方式|形式)?申请",
}
_REPLIES = re.compile(r"答复(?:意见|情况|结果)?中[,，:：]([^。]+)")
_REPLY_ITEM = re.compile(r"([^,，;；、]+?)的?" + _N + r"\s*(?:件|宗|个)")
_RECON = re.compile(r"行政复议(?:申请|案件)?" + _N + r"\s*(?:件|宗|起)")
_LITIG = re.compile(r"行政诉讼(?:案件)?" + _N + r"\s*(?:件|宗|起)")
_PROACTIVE = re.compile(r"主动公开[^。]{0,40}?" + _N + r"\s*(万)?\s*(?:条|件)")
_NO_FEE = re.compile(r"不收取(?:任何)?费用|未收取(?:任何)?费用|没有收取|未产生.{0,6}费")
_FEE = re.compile(r"收取[^。]{0,10}?费[用]?[^。]{0,6}?" + _N + r"\s*元")


def _num(text, wan=False):
    if len(text) > MAX_DIGITS:
        return None  # not a figure (see cells.MAX_DIGITS)
    value = float(text.replace(",", ""))
    if wan:
        value *= 10_000
    return int(value) if value == int(value) else value


def extract(text):
    out = empty_legacy()
    if m := _RECEIVED.search(text):
        out["received"] = _num(m[1])
    for key, pattern in _CHANNELS.items():
        if m := re.search(pattern + _N + r"\s*(?:件|宗|个)", text):
            out["by_channel"][key] = _num(m[1])
    if m := _REPLIES.search(text):
        for item in _REPLY_ITEM.finditer(m[1]):
            label = item[1].strip(" ,，、:：")
            if label:
                out["replies"].append({"label": label, "count": _num(item[2])})
    if m := _RECON.search(text):
        out["reconsideration"] = _num(m[1])
    if m := _LITIG.search(text):
        out["litigation"] = _num(m[1])
    if m := _PROACTIVE.search(text):
        out["proactive_items"] = _num(m[1], wan=bool(m[2]))
    if m := _FEE.search(text):
        out["fees_yuan"] = _num(m[1])
    elif _NO_FEE.search(text):
        out["fees_yuan"] = 0
    return out
