"""The national annual-report formats, declared once as data.

Every table, row and column label of the 2019 format (国办公开办函〔2019〕60号)
and the 2021 format (国办公开办函〔2021〕30号), character for character as
../shared/reference/regulation.md §2.3–2.5 gives them, plus the section plan of
the 2008-era narrative reports (2008 条例 Art. 32). The parser, the checker and
every renderer read these definitions; nothing else spells a label.

Pure Python: no Django import.
"""

from dataclasses import dataclass, field

FORMAT_ID = "gongkai.annual-report/1"

# Cell kinds: how a printed cell is read and written.
COUNT = "count"  # a whole number of items
SIGNED = "signed"  # 本年增/减: "增22" is 22, "减61" is -61
YUAN = "yuan"  # an amount normalised to 元 (政府集中采购 采购总金额)
WAN = "wan"  # an amount in 万元 (2021 行政事业性收费 本年收费金额)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    # Printed group cell(s) to the left of the label, outermost first,
    # e.g. ("三、本年度办理结果", "（三）不予公开") for 1.属于国家秘密.
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """One sub-table of section 二, headed 第二十条第（X）项."""

    heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class AppealGroup:
    key: str
    label: str
    parent: str | None = None  # 行政诉讼 over its two groups


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    sections: tuple[str, ...]
    proactive: tuple[Block, ...] = ()
    request_rows: tuple[Row, ...] = ()
    narrative_only: bool = False
    extra: dict = field(default_factory=dict)

    def proactive_rows(self):
        """(block, row) pairs in printed order."""
        return [(b, r) for b in self.proactive for r in b.rows]

    def request_row(self, key):
        return next(r for r in self.request_rows if r.key == key)


SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

# 2008 条例 Art. 32: the contents of a pre-2019 report (no national table format).
SECTIONS_2008 = (
    "一、概述",
    "二、主动公开政府信息情况",
    "三、依申请公开政府信息和不予公开政府信息情况",
    "四、政府信息公开的收费及减免情况",
    "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
    "六、政府信息公开工作存在的主要问题及改进情况",
    "七、其他需要报告的事项",
)

# ---- Section 三 (both formats) -------------------------------------------

BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADER = "申请人情况"
ORG_HEADER = "法人或其他组织"

REQUEST_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social_welfare", "社会公益组织"),
    Column("legal_service", "法律服务机构"),
    Column("other_org", "其他"),
    Column("total", "总计"),
)
REQUEST_COLUMN_KEYS = tuple(c.key for c in REQUEST_COLUMNS)
APPLICANT_KEYS = REQUEST_COLUMN_KEYS[:-1]
ORG_KEYS = APPLICANT_KEYS[1:]

_RESULTS = "三、本年度办理结果"
_DENIED = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

_HEAD_ROWS = (
    Row("new", "一、本年新收政府信息公开申请数量"),
    Row("carried_over", "二、上年结转政府信息公开申请数量"),
    Row("granted", "（一）予以公开", (_RESULTS,)),
    Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (_RESULTS,)),
    Row("denied.state_secret", "1.属于国家秘密", (_RESULTS, _DENIED)),
    Row("denied.prohibited_by_law", "2.其他法律行政法规禁止公开", (_RESULTS, _DENIED)),
    Row("denied.security_stability", "3.危及“三安全一稳定”", (_RESULTS, _DENIED)),
    Row("denied.third_party", "4.保护第三方合法权益", (_RESULTS, _DENIED)),
    Row("denied.internal_affairs", "5.属于三类内部事务信息", (_RESULTS, _DENIED)),
    Row("denied.process_info", "6.属于四类过程性信息", (_RESULTS, _DENIED)),
    Row("denied.enforcement_file", "7.属于行政执法案卷", (_RESULTS, _DENIED)),
    Row("denied.query_matter", "8.属于行政查询事项", (_RESULTS, _DENIED)),
    Row("unavailable.not_held", "1.本机关不掌握相关政府信息", (_RESULTS, _UNAVAILABLE)),
    Row("unavailable.needs_creation", "2.没有现成信息需要另行制作", (_RESULTS, _UNAVAILABLE)),
    Row("unavailable.unclear", "3.补正后申请内容仍不明确", (_RESULTS, _UNAVAILABLE)),
    Row("not_processed.petition", "1.信访举报投诉类申请", (_RESULTS, _NOT_PROCESSED)),
    Row("not_processed.duplicate", "2.重复申请", (_RESULTS, _NOT_PROCESSED)),
    Row("not_processed.publication", "3.要求提供公开出版物", (_RESULTS, _NOT_PROCESSED)),
    Row("not_processed.mass_repeat", "4.无正当理由大量反复申请", (_RESULTS, _NOT_PROCESSED)),
    Row(
        "not_processed.confirm_or_reissue",
        "5.要求行政机关确认或重新出具已获取信息",
        (_RESULTS, _NOT_PROCESSED),
    ),
)
_TAIL_ROWS = (
    Row("total", "（七）总计", (_RESULTS,)),
    Row("carry_forward", "四、结转下年度继续办理"),
)
REQUEST_ROWS_2019 = _HEAD_ROWS + (Row("other", "（六）其他处理", (_RESULTS,)),) + _TAIL_ROWS
REQUEST_ROWS_2021 = (
    _HEAD_ROWS
    + (
        Row(
            "other.no_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            (_RESULTS, _OTHER),
        ),
        Row(
            "other.no_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            (_RESULTS, _OTHER),
        ),
        Row("other.other", "3.其他", (_RESULTS, _OTHER)),
    )
    + _TAIL_ROWS
)
# 2021: `other` is not printed; it is the sum of the three sub-rows (spec §三).
OTHER_PARTS = ("other.no_correction", "other.no_fee", "other.other")
# Rows whose sum is （七）总计 (T3-RESULT-SUM); `other` stands for its parts in 2021.
RESULT_KEYS = tuple(r.key for r in _HEAD_ROWS[2:]) + ("other",)
ALL_REQUEST_KEYS = (
    tuple(r.key for r in REQUEST_ROWS_2019[:-2])
    + OTHER_PARTS
    + (
        "total",
        "carry_forward",
    )
)

# ---- Section 四 (both formats) -------------------------------------------

APPEAL_COLUMNS = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)
APPEAL_GROUPS = (
    AppealGroup("reconsideration", "行政复议"),
    AppealGroup("litigation_direct", "未经复议直接起诉", "行政诉讼"),
    AppealGroup("litigation_after", "复议后起诉", "行政诉讼"),
)
LITIGATION_HEADER = "行政诉讼"

# ---- Section 二 ------------------------------------------------------------

ITEM_1 = "第二十条第（一）项"
ITEM_5 = "第二十条第（五）项"
ITEM_6 = "第二十条第（六）项"
ITEM_8 = "第二十条第（八）项"
ITEM_9 = "第二十条第（九）项"
CONTENT_HEADER = "信息内容"

_PREV = Column("prev_items", "上一年项目数量")
_CHANGE = Column("change", "本年增/减", SIGNED)
_DECISIONS_2019 = Column("decisions", "处理决定数量")
_DECISIONS_2021 = Column("decisions", "本年处理决定数量")

PROACTIVE_2019 = (
    Block(
        ITEM_1,
        (
            Column("made", "本年新制作数量"),
            Column("published", "本年新公开数量"),
            Column("public_total", "对外公开总数量"),
        ),
        (Row("rules", "规章"), Row("normative_documents", "规范性文件")),
    ),
    Block(
        ITEM_5,
        (_PREV, _CHANGE, _DECISIONS_2019),
        (Row("licensing", "行政许可"), Row("other_services", "其他对外管理服务事项")),
    ),
    Block(
        ITEM_6,
        (_PREV, _CHANGE, _DECISIONS_2019),
        (Row("penalties", "行政处罚"), Row("coercion", "行政强制")),
    ),
    Block(ITEM_8, (_PREV, _CHANGE), (Row("fees", "行政事业性收费"),)),
    Block(
        ITEM_9,
        (Column("items", "采购项目数量"), Column("amount_yuan", "采购总金额", YUAN)),
        (Row("procurement", "政府集中采购"),),
    ),
)
PROACTIVE_2021 = (
    Block(
        ITEM_1,
        (
            Column("issued", "本年制发件数"),
            Column("repealed", "本年废止件数"),
            Column("in_force", "现行有效件数"),
        ),
        (Row("rules", "规章"), Row("normative_documents", "行政规范性文件")),
    ),
    Block(ITEM_5, (_DECISIONS_2021,), (Row("licensing", "行政许可"),)),
    Block(
        ITEM_6,
        (_DECISIONS_2021,),
        (Row("penalties", "行政处罚"), Row("coercion", "行政强制")),
    ),
    Block(
        ITEM_8,
        (Column("amount_wan", "本年收费金额（单位：万元）", WAN),),
        (Row("fees", "行政事业性收费"),),
    ),
)

# ---- The templates ----------------------------------------------------------

TEMPLATE_2019 = Template(
    "2019",
    "2019年格式（国办公开办函〔2019〕60号）",
    SECTIONS,
    PROACTIVE_2019,
    REQUEST_ROWS_2019,
)
TEMPLATE_2021 = Template(
    "2021",
    "2021年格式（国办公开办函〔2021〕30号）",
    SECTIONS,
    PROACTIVE_2021,
    REQUEST_ROWS_2021,
)
TEMPLATE_2008 = Template(
    "2008",
    "2008年条例时期的叙述式报告（国务院令第492号第三十二条）",
    SECTIONS_2008,
    narrative_only=True,
)
TEMPLATES = {t.key: t for t in (TEMPLATE_2008, TEMPLATE_2019, TEMPLATE_2021)}


def template_for_year(year):
    """The format a report for `year` must use (TEMPLATE-YEAR; regulation.md §2.1).

    2021 and later: the 2021 format; 2019–2020: the 2019 format; before 2019
    there was no national table format (2008 条例 Art. 32).
    """
    if year is None:
        return None
    if year >= 2021:
        return TEMPLATE_2021
    if year >= 2019:
        return TEMPLATE_2019
    return TEMPLATE_2008


def empty_requests(template):
    """Section 三 with every printed row and column present and blank (null)."""
    rows = {r.key: dict.fromkeys(REQUEST_COLUMN_KEYS) for r in template.request_rows}
    if template.key == "2021":
        rows["other"] = dict.fromkeys(REQUEST_COLUMN_KEYS)
    return rows


def empty_appeals():
    return {g.key: dict.fromkeys(c.key for c in APPEAL_COLUMNS) for g in APPEAL_GROUPS}


def empty_proactive(template):
    out = {}
    for block, row in template.proactive_rows():
        out[row.key] = {c.key: None for c in block.columns}
        if any(c.kind == YUAN for c in block.columns):
            out[row.key].update(amount_as_printed=None, unit_as_printed=None)
    return out


LEGACY_CHANNELS = ("online", "letter", "fax", "in_person", "email", "other")


def empty_legacy():
    return {
        "received": None,
        "by_channel": {k: None for k in LEGACY_CHANNELS},
        "replies": [],
        "reconsideration": None,
        "litigation": None,
        "proactive_items": None,
        "fees_yuan": None,
    }


def empty_report(template_key=None):
    """A report skeleton in the interchange format (spec: annual-report-format.md)."""
    template = TEMPLATES.get(template_key)
    tabular = template is not None and not template.narrative_only
    return {
        "format": FORMAT_ID,
        "agency": None,
        "year": None,
        "published": None,
        "template": template_key,
        "source": {"script": "simplified", "file": None, "sha256": None},
        "proactive": empty_proactive(template) if tabular else {},
        "requests": empty_requests(template) if tabular else {},
        "appeals": empty_appeals() if tabular else {},
        "legacy": empty_legacy() if template_key == "2008" else None,
        "narrative": {"overview": "", "problems": "", "other": ""},
        "findings": [],
    }
