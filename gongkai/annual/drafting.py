"""Sections 一、五、六 of the annual report, drafted from the year's figures. Pure Python.

`draft(figures, agency_name=…, year=…, last_year_problems=…)` returns
{"一": [...], "五": [...], "六": [...]}: each a list of sentences

    {"text": "…", "figures": {name: value}, "para": n}

`text` is one sentence (or a subsection heading) in full-width Chinese
punctuation; `figures` binds every figure the sentence states to its value, by
the names of gongkai/annual/figures.py; `para` numbers the paragraphs within a
section (`section_text` joins sentences of one paragraph and puts a line break
between paragraphs). Sentences state only figures given: a fact with no record
(a key missing from `figures`) is left out, or, where the seeds always say
something, a 【待补充】 sentence asks the staff to write it (PLACEHOLDER; an
unfilled placeholder is for the checker to catch). Numbers not in `figures` are
only the report year and the citations in CITATIONS.

The voice follows the five seed reports (一、总体情况 with the subsections
（一）主动公开 （二）依申请公开 （三）政府信息管理 （四）政府信息公开平台建设
（五）监督保障, 2021 template; 五 problems and improvement; 六 信息处理费 under
国办函〔2020〕109号 and 人大代表建议、政协提案). Sentences about applications and
复议/诉讼 use the wording reports/narrative.py reads, so NARRATIVE-MATCH reads
back the very figures of tables 三 and 四.

`stale(sentences, figures)` lists the sentences whose bound values are no longer
the current figures (a record changed since drafting). The one sentence of 五
that quotes last year's problems binds that text as "last_year.problems"; it
is not a figure of this year and never goes stale.
"""

import re

PLACEHOLDER = "【待补充】"
FEE_NOTICE = (
    "《国务院办公厅关于印发〈政府信息公开信息处理费管理办法〉的通知》（国办函〔2020〕109号）"
)
REGULATION = "《中华人民共和国政府信息公开条例》"
# Citations whose digits are not figures (tests strip these before looking for numbers).
CITATIONS = (FEE_NOTICE, "国办函〔2020〕109号")

SUBSECTIONS = (
    "（一）主动公开",
    "（二）依申请公开",
    "（三）政府信息管理",
    "（四）政府信息公开平台建设",
    "（五）监督保障",
)

# Labels of keyed figures (figures.py keeps the keys; these are the words printed).
CATEGORY_LABELS = {
    "normative_documents": "行政规范性文件",
    "functions": "机构职能",
    "plans": "规划计划",
    "licensing": "行政许可",
    "penalties": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "budgets": "财政预决算",
    "procurement": "政府采购",
    "public_order": "治安管理",
    "traffic": "交通管理",
    "emergencies": "突发公共事件",
    "civil_service": "公务员招考",
    "other": "其他",
}
PLATFORM_LABELS = {
    "wechat": "微信公众号",
    "weibo": "微博",
    "toutiao": "今日头条",
    "douyin": "抖音",
    "kuaishou": "快手",
    "website": "门户网站",
    "other": "其他平台",
}
APPLY_CHANNEL_LABELS = {
    "online": "网络申请",
    "letter": "信函申请",
    "registered_mail": "挂号信和EMS申请",
    "fax": "传真申请",
    "in_person": "当面申请",
    "other": "其他方式申请",
}
ENQUIRY_CHANNEL_LABELS = {"phone": "电话咨询", "in_person": "现场咨询", "online": "网上咨询"}
OUTCOME_LABELS = (
    ("apply.granted", "予以公开"),
    ("apply.partial", "部分公开"),
    ("apply.denied", "不予公开"),
    ("apply.unavailable", "无法提供"),
    ("apply.not_processed", "不予处理"),
    ("apply.other", "其他处理"),
)
RESULT_LABELS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)
PROPOSAL_LEVELS = {
    "national": "全国",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
}
ORDINALS = "一二三四五六七八九十"
NEW_MEDIA = ("wechat", "weibo", "toutiao", "douyin")  # publications.NEW_MEDIA_CHANNELS


class _Section:
    """Collects sentences; `para()` starts a new paragraph."""

    def __init__(self, figures):
        self.figures, self.sentences, self.n = figures, [], -1

    def para(self):
        self.n += 1

    def say(self, text, *names, extra=None):
        bound = {name: self.figures[name] for name in names}
        bound.update(extra or {})
        self.sentences.append({"text": text, "figures": bound, "para": max(self.n, 0)})

    def has(self, *names):
        return all(name in self.figures for name in names)

    def get(self, name, default=0):
        return self.figures.get(name, default)


def _parts(section, pairs, unit):
    """ "予以公开3件、部分公开1件" for the non-zero figures among (name, label) pairs;
    returns (text, names used)."""
    shown = [(n, label) for n, label in pairs if section.get(n)]
    text = "、".join(f"{label}{section.figures[n]}{unit}" for n, label in shown)
    return text, [n for n, _ in shown]


def _keyed(figures, prefix, suffix, labels):
    """(name, label) for keys prefix.<key>.suffix (or prefix.<key> when suffix is
    empty) present in figures, in the labels' order."""
    out = []
    for key, label in labels.items():
        name = f"{prefix}.{key}" + (f".{suffix}" if suffix else "")
        if name in figures:
            out.append((name, label))
    return out


# ---- 一、总体情况 ---------------------------------------------------------------------


def _overview(s, agency, year):
    s.para()
    s.say(
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实"
        f"{REGULATION}（以下简称《条例》）和上级关于政务公开工作的部署要求，"
        "坚持以公开为常态、不公开为例外，围绕中心工作和群众关切，扎实做好主动公开、"
        "依申请公开、政府信息管理、平台建设和监督保障等工作，政府信息公开工作有序推进。"
    )


def _proactive(s, year):
    s.para()
    s.say(SUBSECTIONS[0])
    s.para()
    if s.has("proactive.total"):
        total = s.figures["proactive.total"]
        if total:
            cats = sorted(
                _keyed(s.figures, "proactive.category", "", CATEGORY_LABELS),
                key=lambda nl: -s.figures[nl[0]],
            )
            cats = [(n, label) for n, label in cats if s.figures[n]]
            cats = [(n, label) for n, label in cats if not n.endswith(".other")][:5]
            text, names = _parts(s, cats, "条")
            line = f"{year}年，通过政府网站主动公开政府信息{total}条"
            if text:
                line += f"，其中{text}"
            s.say(line + "。", "proactive.total", *names)
        else:
            s.say(f"{year}年，本机关未通过政府网站主动公开政府信息。", "proactive.total")
    if s.get("proactive.new_media"):
        channels = _keyed(
            s.figures, "proactive.channel", "", {k: PLATFORM_LABELS[k] for k in NEW_MEDIA}
        )
        text, names = _parts(s, channels, "条")
        line = f"上述信息中，同步通过政务新媒体发布{s.figures['proactive.new_media']}条"
        s.say(line + (f"（{text}）" if text else "") + "。", "proactive.new_media", *names)
    if s.has("newmedia.posts") and s.figures["newmedia.posts"]:
        platforms = _keyed(s.figures, "newmedia", "posts", PLATFORM_LABELS)
        text, names = _parts(s, platforms, "条")
        line = f"通过政务新媒体账号发布信息{s.figures['newmedia.posts']}条"
        s.say(line + (f"，其中{text}" if text else "") + "。", "newmedia.posts", *names)
    if s.get("proactive.channel.gazette"):
        s.say(
            f"通过政府公报公开政府信息{s.figures['proactive.channel.gazette']}条。",
            "proactive.channel.gazette",
        )
    if s.get("interpretations.total"):
        s.say(
            f"围绕重要政策文件开展政策解读{s.figures['interpretations.total']}次，"
            "做到政策文件与解读材料同步组织、同步审签、同步部署。",
            "interpretations.total",
        )
    elif s.get("proactive.interpretations"):
        s.say(
            f"发布政策解读{s.figures['proactive.interpretations']}篇，"
            "做到政策文件与解读材料同步发布。",
            "proactive.interpretations",
        )
    if s.get("press.conferences"):
        s.say(
            f"召开新闻发布会{s.figures['press.conferences']}场，及时回应社会关切。",
            "press.conferences",
        )
    if s.has("proactive.on_time", "proactive.late") and (
        s.figures["proactive.on_time"] or s.figures["proactive.late"]
    ):
        on_time, late = s.get("proactive.on_time"), s.get("proactive.late")
        if late:
            s.say(
                f"主动公开信息中，{on_time}条在《条例》第二十六条规定的时限内公开，"
                f"{late}条超过时限公开。",
                "proactive.on_time",
                "proactive.late",
            )
        else:
            s.say(
                f"主动公开信息中，{on_time}条均在《条例》第二十六条规定的时限内公开。",
                "proactive.on_time",
                "proactive.late",
            )


def _requests(s, year):
    s.para()
    s.say(SUBSECTIONS[1])
    s.para()
    if not s.has("apply.received", "apply.carried_over", "apply.concluded"):
        s.say(f"{PLACEHOLDER}本年度收到和处理政府信息公开申请的情况。")
        return
    received, carried = s.figures["apply.received"], s.figures["apply.carried_over"]
    if received == 0 and carried == 0:
        s.say(
            f"{year}年，本机关未收到政府信息公开申请，也没有上年结转的申请。",
            "apply.received",
            "apply.carried_over",
        )
    else:
        line = f"{year}年，共收到政府信息公开申请{received}件"
        names = ["apply.received"]
        if carried:
            line += f"，上年结转{carried}件"
            names.append("apply.carried_over")
        s.say(line + "。", *names)
        channels = _keyed(s.figures, "apply.channel", "", APPLY_CHANNEL_LABELS)
        text, used = _parts(s, channels, "件")
        if text and received:
            s.say(f"按申请方式划分，{text}。", *used)
    concluded = s.figures["apply.concluded"]
    if concluded:
        text, used = _parts(s, OUTCOME_LABELS, "件")
        line = f"本年度办结政府信息公开申请{concluded}件"
        if text:
            line += f"，其中{text}"
        s.say(line + "。", "apply.concluded", *used)
    if s.get("apply.carry_forward"):
        s.say(
            f"另有{s.figures['apply.carry_forward']}件申请结转下年度继续办理。",
            "apply.carry_forward",
        )
    if s.get("apply.late") and "apply.replied" not in s.figures:
        s.say(
            f"本年度有{s.figures['apply.late']}件申请超过《条例》第三十三条规定的期限答复。",
            "apply.late",
        )
    elif s.get("apply.late"):
        s.say(
            f"作出答复的{s.figures['apply.replied']}件申请中，"
            f"有{s.figures['apply.late']}件超过《条例》第三十三条规定的期限答复。",
            "apply.replied",
            "apply.late",
        )
    elif s.get("apply.replied") and "apply.late" in s.figures:
        s.say(
            f"作出答复的{s.figures['apply.replied']}件申请，均在《条例》第三十三条规定的期限内答复。",
            "apply.replied",
            "apply.late",
        )
    _appeals(s)


def _appeals(s):
    recon, lit = "appeals.reconsideration.total", "appeals.litigation.total"
    if not s.has(recon, lit):
        return
    if s.figures[recon] == 0 and s.figures[lit] == 0:
        s.say("本年度未发生因政府信息公开引起的行政复议、行政诉讼。", recon, lit)
        return
    for group, verb in (("reconsideration", "被申请行政复议"), ("litigation", "被提起行政诉讼")):
        total = f"appeals.{group}.total"
        if not s.figures[total]:
            continue
        pairs = [(f"appeals.{group}.{key}", label) for key, label in RESULT_LABELS]
        text, used = _parts(s, [p for p in pairs if p[0] in s.figures], "件")
        s.say(
            f"因政府信息公开{verb}{s.figures[total]}件" + (f"，其中{text}" if text else "") + "。",
            total,
            *used,
        )
    if s.figures[recon] == 0:
        s.say("本年度未发生因政府信息公开引起的行政复议。", recon)
    if s.figures[lit] == 0:
        s.say("本年度未发生因政府信息公开引起的行政诉讼。", lit)


def _management(s, year):
    s.para()
    s.say(SUBSECTIONS[2])
    s.para()
    names = ("documents.normative.issued", "documents.normative.repealed")
    if s.has(*names, "documents.normative.in_force"):
        issued, repealed = (s.figures[n] for n in names)
        line = f"{year}年，制发规范性文件{issued}件"
        if repealed:
            line += f"，废止规范性文件{repealed}件"
        in_force = s.figures["documents.normative.in_force"]
        line += f"；截至年底，现行有效规范性文件{in_force}件"
        bound = ["documents.normative.issued", "documents.normative.in_force"]
        s.say(line + "，均按规定公开。", *bound, *(names[1:] if repealed else ()))
    if s.get("documents.rules.issued"):
        s.say(f"制定规章{s.figures['documents.rules.issued']}件。", "documents.rules.issued")
    if s.get("proactive.total"):
        s.say(
            "严格落实信息发布审核制度，主动公开信息在拟制时确定公开属性，"
            "经初审、保密审查和领导审批后发布。"
        )
    if s.get("proactive.corrected"):
        s.say(
            f"对已公开信息中发现的差错及时更正，全年更正{s.figures['proactive.corrected']}次。",
            "proactive.corrected",
        )
    if s.get("proactive.withdrawn"):
        s.say(f"撤回已公开信息{s.figures['proactive.withdrawn']}条。", "proactive.withdrawn")


def _platforms(s):
    s.para()
    s.say(SUBSECTIONS[3])
    s.para()
    s.say(
        "依托政府信息公开专栏，设置信息公开指南、主动公开目录、依申请公开和年度报告等栏目，"
        "及时发布并更新政府信息，畅通依申请公开渠道。"
    )
    if s.get("newmedia.accounts"):
        platforms = _keyed(s.figures, "newmedia", "accounts", PLATFORM_LABELS)
        text, names = _parts(s, platforms, "个")
        s.say(
            f"本机关现有政务新媒体账号{s.figures['newmedia.accounts']}个"
            + (f"（{text}）" if text else "")
            + "，按照“谁开设、谁主办”原则落实内容审核和日常管理。",
            "newmedia.accounts",
            *names,
        )
    if s.get("enquiries.total"):
        channels = _keyed(s.figures, "enquiries", "", ENQUIRY_CHANNEL_LABELS)
        text, names = _parts(s, channels, "人次")
        s.say(
            f"全年答复公民、法人和其他组织关于政府信息公开工作的咨询{s.figures['enquiries.total']}人次"
            + (f"，其中{text}" if text else "")
            + "。",
            "enquiries.total",
            *names,
        )


def _supervision(s):
    s.para()
    s.say(SUBSECTIONS[4])
    s.para()
    said = False
    if s.get("training.sessions"):
        line = f"组织开展政府信息公开业务培训{s.figures['training.sessions']}次"
        names = ["training.sessions"]
        if s.get("training.attendees"):
            line += f"，参训{s.figures['training.attendees']}人次"
            names.append("training.attendees")
        s.say(line + "，提高工作人员依法公开意识和业务能力。", *names)
        said = True
    if s.get("assessments.total"):
        line = f"开展政务公开考核评估{s.figures['assessments.total']}次"
        names = ["assessments.total"]
        if s.get("assessments.titles", ""):
            line += f"（{s.figures['assessments.titles']}）"
            names.append("assessments.titles")
        s.say(line + "，对发现的问题及时督促整改。", *names)
        said = True
    if not said:
        s.say(f"{PLACEHOLDER}本年度政府信息公开工作的培训、考核和监督检查情况（系统中没有登记）。")


def overview(figures, agency_name, year):
    s = _Section(figures)
    _overview(s, agency_name, year)
    _proactive(s, year)
    _requests(s, year)
    _management(s, year)
    _platforms(s)
    _supervision(s)
    return s.sentences


# ---- 五、存在的主要问题及改进情况 ---------------------------------------------------------


def _problems(s):
    """(problem, measure) pairs this year's figures show, then the usual ones."""
    out = []
    if s.get("proactive.late"):
        out.append(
            (
                (
                    f"主动公开的及时性有待提高，本年度有{s.figures['proactive.late']}条信息超过时限公开",
                    "proactive.late",
                ),
                "严格执行《条例》第二十六条规定的公开时限，对临近期限的信息及时提醒、督促发布",
            )
        )
    if s.get("apply.late"):
        out.append(
            (
                (
                    f"依申请公开办理时效有待加强，本年度有{s.figures['apply.late']}件申请超过法定期限答复",
                    "apply.late",
                ),
                "加强办理期限管理，临近期限的申请逐件督办，确保依法按时答复",
            )
        )
    if s.get("appeals.corrected"):
        out.append(
            (
                (
                    f"依申请公开答复的规范性有待提高，行政复议、行政诉讼中结果纠正"
                    f"{s.figures['appeals.corrected']}件",
                    "appeals.corrected",
                ),
                "认真研究被纠正案件，完善答复文书和法制审查，准确把握答复的事实依据和法律依据",
            )
        )
    if not s.get("training.sessions"):
        out.append(
            (
                ("工作人员业务培训不够经常，依法公开意识和业务能力有待进一步提升", None),
                "定期组织《条例》和业务知识培训，提高工作人员的政策把握能力和业务水平",
            )
        )
    concluded, unavailable = s.get("apply.concluded"), s.get("apply.unavailable")
    if concluded and unavailable * 10 >= concluded * 3:  # three in ten or more
        out.append(
            (
                (
                    f"政府信息资源管理有待加强，本年度依申请公开答复“无法提供”{unavailable}件",
                    "apply.unavailable",
                ),
                "加强政府信息的收集、整理和归档，提高依申请公开的信息提供能力",
            )
        )
    if not s.get("assessments.total"):
        out.append(
            (
                ("政府信息公开工作的内部监督考核有待加强", None),
                "将政府信息公开工作纳入年度考核，加强日常监督检查，对发现的问题及时通报整改",
            )
        )
    for usual in USUAL_PROBLEMS:
        if len(out) >= 3:
            break
        out.append(((usual[0], None), usual[1]))
    return out


# The seeds' usual problems and measures, added (in this order) until there are three.
USUAL_PROBLEMS = (
    (
        "主动公开的深度和广度有待进一步拓展，公开内容与群众需求还有一定差距",
        "围绕群众关切梳理应公开的政府信息，做到应公开尽公开，丰富公开内容和形式",
    ),
    (
        "政策解读的形式不够丰富，解读的针对性和可读性有待提高",
        "坚持政策文件与解读材料同步组织、同步审签、同步部署，运用图解、问答等形式增强解读效果",
    ),
    (
        "工作人员的业务能力与新形势新要求相比还有差距",
        "加强业务学习和交流，提高工作人员依法公开意识和解疑释惑能力",
    ),
)


_ITEM_MARK = re.compile(r"(?:^|(?<=[。；;，,\n]))\s*[一二三四五六七八九十]是")
_NUMBERED = re.compile(r"(?:^|(?<=[。；;\n]))\s*(?:[（(][一二三四五六七八九十][)）]|\d+[.、．])")
_IMPROVEMENT = re.compile(
    r"[（(][一二三四五六七八九十][)）]\s*改进|改进情况|改进措施|下一步|下步打算"
)
_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"})


def problem_items(text):
    """The items of last year's problems ("一是……；二是……", "1.……", "（一）……"), before
    its improvement part; the whole text as one item when it lists none. Punctuation of
    the items is made full-width (they are quoted in this year's sentences)."""
    text = (text or "").strip()
    cut = _IMPROVEMENT.search(text)
    if cut and cut.start() > 0:
        text = text[: cut.start()]
    marks = list(_ITEM_MARK.finditer(text)) or list(_NUMBERED.finditer(text))
    if not marks:
        text = text.strip().translate(_FULL)
        return [text] if text else []
    items = []
    for i, m in enumerate(marks):
        end = len(text) if i + 1 == len(marks) else marks[i + 1].start()
        item = re.split(r"[。；;\n]", text[m.end() : end])[0].strip(" ，,、").translate(_FULL)
        if item and not re.fullmatch(r"存在的?(?:主要)?问题", item):
            items.append(item)
    return items


# Improvement facts, by a theme word of last year's problem: (words, figure, sentence).
_THEMES = (
    (("及时", "时限", "时效"), "proactive.on_time", "主动公开信息中{v}条在规定时限内公开"),
    (("新媒体", "渠道", "平台", "微博", "微信"), "newmedia.posts", "通过政务新媒体发布信息{v}条"),
    (("培训", "能力", "业务", "认识", "意识"), "training.sessions", "组织业务培训{v}次"),
    (("考核", "监督", "督查", "检查"), "assessments.total", "开展考核评估{v}次"),
    (("解读", "回应"), "interpretations.total", "开展政策解读{v}次"),
    (("申请", "答复"), "apply.concluded", "办结政府信息公开申请{v}件"),
    (("咨询", "互动", "群众"), "enquiries.total", "答复咨询{v}人次"),
)


def _ordinal(i):
    return ORDINALS[i] if i < len(ORDINALS) else str(i + 1)


def problems(figures, agency_name, year, last_year_problems=""):
    s = _Section(figures)
    s.para()
    s.say(
        f"{year}年，{agency_name}政府信息公开工作取得一定成效，但对照《条例》要求和人民群众的期盼，"
        "仍存在一些不足。"
    )
    pairs = _problems(s)
    s.para()
    s.say("（一）存在的问题")
    s.para()
    names = [name for (_, name), _ in pairs if name]
    listed = "；".join(f"{ORDINALS[i]}是{text}" for i, ((text, _), _) in enumerate(pairs))
    s.say(listed + "。", *names)
    s.para()
    s.say("（二）改进情况")
    items = problem_items(last_year_problems)[: len(ORDINALS)]
    if items:
        s.para()
        listed = "；".join(f"{_ordinal(i)}是{item}" for i, item in enumerate(items))
        s.say(
            f"上年度报告指出的问题主要有：{listed}。",
            extra={"last_year.problems": last_year_problems},
        )
        facts, used = [], []
        for words, name, template in _THEMES:
            if name in used or not s.get(name):
                continue
            if any(w in last_year_problems for w in words):
                facts.append(template.format(v=s.figures[name]))
                used.append(name)
        if facts:
            s.say("本年度针对上述问题加强整改，" + "，".join(facts) + "。", *used)
        else:
            s.say(f"{PLACEHOLDER}上述问题在本年度的改进措施和成效。")
    s.para()
    measures = "；".join(f"{ORDINALS[i]}是{m}" for i, (_, m) in enumerate(pairs))
    s.say(f"下一步，{agency_name}将坚持问题导向，持续改进：{measures}。")
    return s.sentences


# ---- 六、其他需要报告的事项 -------------------------------------------------------------


def other(figures, agency_name, year):
    s = _Section(figures)
    s.para()
    if s.has("fees.amount"):
        basis = f"按照{FEE_NOTICE}规定的按件、按量收费标准，"
        amount = s.figures["fees.amount"]
        if amount in ("0", "0.00", ""):
            s.say(basis + "本年度没有产生信息处理费。", "fees.amount")
        elif s.get("fees.cases"):
            s.say(
                basis + f"本年度向{s.figures['fees.cases']}件政府信息公开申请"
                f"收取信息处理费{amount}元。",
                "fees.cases",
                "fees.amount",
            )
        else:
            s.say(basis + f"本年度收取信息处理费{amount}元。", "fees.amount")
    _proposals(s)
    if len(s.sentences) == 0:
        s.say("本年度无其他需要报告的事项。")
    return s.sentences


def _proposals(s):
    if not s.has("proposals.total"):
        return
    total = s.figures["proposals.total"]
    if not total:
        s.say("本年度没有承办人大代表建议和政协提案。", "proposals.total")
        return
    parts, names = [], ["proposals.total"]
    for kind, label in (("npc", "人大代表建议"), ("cppcc", "政协提案")):
        levels = [
            (f"proposals.{kind}.{lv}", f"{PROPOSAL_LEVELS[lv]}{label}")
            for lv in PROPOSAL_LEVELS
            if f"proposals.{kind}.{lv}" in s.figures
        ]
        text, used = _parts(s, levels, "件")
        if text:
            parts.append(text)
            names += used
    line = f"本年度共承办人大代表建议和政协提案{total}件"
    if parts:
        line += "，其中" + "、".join(parts)
    on_time = s.get("proposals.on_time")
    if "proposals.on_time" in s.figures:
        names.append("proposals.on_time")
        line += "，全部按时办结答复" if on_time == total else f"，按时办结答复{on_time}件"
    s.say(line + "。", *names)


# ---- the whole draft --------------------------------------------------------------------


def draft(figures, *, agency_name, year, last_year_problems=""):
    """{"一": sentences, "五": sentences, "六": sentences} (module docstring)."""
    return {
        "一": overview(figures, agency_name, year),
        "五": problems(figures, agency_name, year, last_year_problems),
        "六": other(figures, agency_name, year),
    }


def section_text(sentences):
    """The section as text: sentences of a paragraph run on; paragraphs on new lines."""
    paras = {}
    for sentence in sentences:
        paras.setdefault(sentence.get("para", 0), []).append(sentence["text"])
    return "\n".join("".join(paras[k]) for k in sorted(paras))


def stale(sentences, figures):
    """Indexes of sentences a bound figure of which now has another value (or is gone)."""
    missing = object()
    return [
        i
        for i, sentence in enumerate(sentences)
        if any(
            figures.get(name, missing) != value
            for name, value in sentence.get("figures", {}).items()
            if not name.startswith("last_year.")
        )
    ]
