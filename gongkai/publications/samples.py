"""Plausible 主动公开 items of a public-security bureau, for the demo and the generator
(pure data, no ORM). Each kind: (weight, category, genre, topic, title templates).
Placeholders: {y} year, {n} next year, {m} month, {q} quarter, {place} a place name."""

from gongkai.publications.models import Category as C
from gongkai.publications.models import Genre as G
from gongkai.publications.models import Topic as T

PLACES = (
    "城关",
    "东湖",
    "西山",
    "南门",
    "北站",
    "滨江",
    "开发区",
    "高新区",
    "人民路",
    "解放路",
    "新华街",
    "工业园",
)

KINDS = (
    (
        10,
        C.PUBLIC_ORDER,
        G.CIRCULAR,
        T.PUBLIC_ORDER,
        (
            "关于{n}年春节期间烟花爆竹燃放管理的通告",
            "关于{y}年国庆节期间加强{place}片区治安管理的通告",
            "关于{place}地区开展夏季治安打击整治行动的通告",
        ),
    ),
    (
        9,
        C.TRAFFIC,
        G.CIRCULAR,
        T.TRAFFIC,
        (
            "关于{place}路段实施临时交通管制的通告",
            "关于{y}年{place}马拉松赛事期间交通管制的通告",
            "关于调整{place}区域货车限行措施的通告",
        ),
    ),
    (
        6,
        C.TRAFFIC,
        G.NOTICE,
        T.TRAFFIC,
        ("关于{y}年第{q}季度道路交通安全形势的通报", "关于启用{place}路口电子警察设备的公告"),
    ),
    (
        6,
        C.LICENSING,
        G.NOTICE,
        T.HOUSEHOLD,
        (
            "关于调整户籍业务办理时间的通知",
            "关于{y}年居住证办理有关事项的通知",
            "关于推行户籍业务“跨省通办”的公告",
        ),
    ),
    (
        4,
        C.LICENSING,
        G.ANNOUNCEMENT,
        T.EXIT_ENTRY,
        ("关于出入境证件“全程网办”的公告", "{y}年{m}月出入境业务办理指南"),
    ),
    (
        4,
        C.NORMATIVE_DOCUMENTS,
        G.MEASURES,
        T.PUBLIC_ORDER,
        ("{place}养犬登记管理办法", "电动自行车登记管理办法", "大型群众性活动安全管理办法"),
    ),
    (
        3,
        C.NORMATIVE_DOCUMENTS,
        G.PROVISIONS,
        T.PUBLIC_SECURITY,
        ("公安行政执法过错责任追究规定", "警务辅助人员管理规定"),
    ),
    (
        3,
        C.NORMATIVE_DOCUMENTS,
        G.OPINION,
        T.PUBLIC_SECURITY,
        ("关于进一步优化营商环境的实施意见", "关于深化“放管服”改革便民利企的若干意见"),
    ),
    (
        5,
        C.PENALTIES,
        G.DECISION,
        T.PUBLIC_ORDER,
        ("行政处罚决定书（{place}公（治）行罚决字〔{y}〕{q}号）", "{y}年第{q}季度行政处罚案件信息"),
    ),
    (
        2,
        C.COERCION,
        G.OTHER,
        T.PUBLIC_SECURITY,
        ("行政强制措施实施依据及程序",),
    ),
    (
        2,
        C.FEES,
        G.ANNOUNCEMENT,
        T.PUBLIC_SECURITY,
        ("公安机关行政事业性收费项目及标准", "{y}年机动车号牌工本费收费标准公示"),
    ),
    (
        2,
        C.BUDGETS,
        G.REPORT,
        T.OTHER,
        ("{y}年部门预算公开", "{y}年部门决算公开", "{y}年“三公”经费预算情况说明"),
    ),
    (
        2,
        C.PROCUREMENT,
        G.ANNOUNCEMENT,
        T.PUBLIC_SECURITY,
        ("{y}年执法记录仪采购项目中标公告", "{place}派出所办公设备采购结果公告"),
    ),
    (
        3,
        C.FUNCTIONS,
        G.OTHER,
        T.PUBLIC_SECURITY,
        ("机构职能", "领导信息", "内设机构及联系方式", "{place}派出所办公地址和办公时间"),
    ),
    (
        2,
        C.PLANS,
        G.REPORT,
        T.PUBLIC_SECURITY,
        ("{y}年政务公开工作要点", "{y}年法治政府建设情况报告", "{y}年工作总结和{n}年工作计划"),
    ),
    (
        2,
        C.EMERGENCIES,
        G.NOTICE,
        T.FIRE,
        ("关于{y}年汛期安全防范工作的预警提示", "{place}火灾事故应急处置情况通报"),
    ),
    (
        3,
        C.OTHER,
        G.NOTICE,
        T.WORK_SAFETY,
        ("关于开展{y}年“安全生产月”活动的通知", "关于加强危险化学品道路运输安全管理的通知"),
    ),
    (
        2,
        C.CIVIL_SERVICE,
        G.ANNOUNCEMENT,
        T.PUBLIC_SECURITY,
        ("{y}年招录人民警察职位表", "{y}年公开招聘警务辅助人员拟录用人员公示"),
    ),
    (
        6,
        C.OTHER,
        G.NEWS,
        T.ANTI_FRAUD,
        ("{place}警方成功破获一起电信网络诈骗案", "反诈提示：警惕{y}年新型“刷单返利”诈骗"),
    ),
    (
        3,
        C.OTHER,
        G.NEWS,
        T.NARCOTICS,
        ("{y}年“6·26”国际禁毒日宣传活动在{place}举行", "{place}警方开展禁毒宣传进校园活动"),
    ),
    (
        2,
        C.OTHER,
        G.NEWS,
        T.CYBER,
        ("网安部门开展{y}年网络安全宣传周活动", "关于防范个人信息泄露的安全提示"),
    ),
)

INTERPRETATION_TITLE = "《{title}》政策解读"
GRAPHIC_TITLE = "一图读懂《{title}》"

BODY = (
    "<h2>一、总体要求</h2>"
    "<p>为进一步做好{topic}工作，保障人民群众生命财产安全，根据有关法律法规，结合本地实际，"
    "现将有关事项{genre}如下。</p>"
    "<h2>二、主要内容</h2>"
    "<ol><li>明确适用范围和工作时限。</li><li>规范办理流程，压缩办理时间。</li>"
    "<li>加强监督检查，依法查处违法行为。</li></ol>"
    "<p>咨询电话：0000-12345678。</p>"
)
# 内容概述 (Art. 24) of a demo item: a sentence of its own, not the title again.
SUMMARY = "明确{topic}工作的适用范围和办理时限，规范办理流程，加强监督检查。"
READING_SUMMARY = "解读《{title}》的制定背景和主要内容。"
READING_BODY = (
    "<h2>一、制定背景</h2><p>为回应群众关切，现对《{title}》的主要内容作如下解读。</p>"
    "<h2>二、主要内容</h2><p>文件明确了适用范围、办理流程和监督措施。</p>"
)


def fill(template, *, year, month=1, place=""):
    """A concrete title from a template."""
    return template.format(
        y=year, n=year + 1, m=month, q=(month - 1) // 3 + 1, place=place or PLACES[0]
    )
