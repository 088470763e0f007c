"""The shipped letter templates and the placeholders they may use: data, no logic.

An agency's edited LetterTemplate overrides an entry of DEFAULTS; the shipped
text is version 0. Each body is plain text, one paragraph per line; a first line
ending in “：” is the salutation. Articles are those of the 2019
《中华人民共和国政府信息公开条例》 (国务院令第711号), checked against
../shared/reference/regulation.md (✅ there unless a comment says otherwise).
"""

# name → (what it is, an example used in the template editor's preview)
PLACEHOLDERS = {
    "申请人": ("申请人姓名或名称", "张三"),
    "称谓": ("对申请人的称呼：自然人为“您”，法人或其他组织为“贵单位”", "您"),
    "查询码": (
        "查询码（只在登记时打印的回执上有；其他时候写明已告知及遗失后如何补发）",
        "K7QX3M9PTA",
    ),
    "受理编号": ("受理编号", "GA-2026-00012"),
    "收到日期": ("收到申请之日（第三十一条）", "二〇二六年十一月二日"),
    "申请日期": ("申请人提交申请的日期", "二〇二六年十月三十日"),
    "申请内容": ("申请公开的政府信息的描述", "本局2025年治安案件统计数据"),
    "获取方式": ("申请人要求的获取方式", "电子"),
    "答复期限": ("答复期限（含延期）", "二〇二六年十二月一日"),
    "原答复期限": ("延期前的答复期限", "二〇二六年十一月二十七日"),
    "补正告知日期": ("告知补正的日期", "二〇二六年十一月五日"),
    "补正事项": ("需要补正的事项（可多行）", "请写明所需信息的名称、文号或者其他特征性描述。"),
    "补正期限": ("补正期限", "二〇二六年十一月二十日"),
    "延期理由": ("延长答复期限的理由", "所申请信息数量较多，需要进一步检索核实"),
    "收费金额": ("信息处理费金额（元，两位小数）", "1200.00"),
    "收费依据": ("收费依据（发出收费通知时填写）", "按件计收，本月第11件至第22件"),
    "收费通知日期": ("发出收费通知的日期", "二〇二六年十一月十日"),
    "缴费期限": ("缴费期限", "二〇二六年十二月八日"),
    "征求对象": ("征求意见的第三方或机关", "某某科技有限公司"),
    "征求日期": ("发出征求意见书的日期", "二〇二六年十一月六日"),
    "办理结果": ("拟定的办理结果", "予以公开"),
    "事实和理由": (
        "拟办时填写的本案事实和理由（除予以公开外必填，第三十六条）",
        "经查，所申请的卷宗属于正在办理的治安案件执法案卷，尚未结案。",
    ),
    "法律依据": (
        "拟办时填写的法律依据和理由",
        "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
    ),
    "救济途径": ("行政复议、行政诉讼的告知（由文书抬头设置生成）", "如对本答复不服，……"),
    "机关名称": ("本机关全称", "某某市公安局"),
    "地址": ("本机关地址", "某某市某某路1号"),
    "邮编": ("邮政编码", "100000"),
    "联系电话": ("联系电话", "010-00000000"),
    "文号": ("本文书的文号", "某公开〔2026〕12号"),
    "发文日期": ("本文书的日期", "二〇二六年十一月二十一日"),
    # 送达回证 (issue 14 part 4): what is delivered, how, where and when.
    "送达文书": ("送达的答复文书及其文号", "政府信息公开申请答复书（某公开〔2026〕12号）"),
    "送达方式": ("登记的送达方式", "邮寄送达"),
    "送达地址": ("受送达人的通信地址（电子送达为电子邮箱）", "某某市某某区某某路2号"),
    "送达日期": ("登记的送达日期（邮寄为交邮之日）", "二〇二六年十一月二十三日"),
    "邮件号": ("邮寄送达的 EMS 邮件号", "EA123456789CN"),
}

LAW = "《中华人民共和国政府信息公开条例》"

# The remedy notice. Art. 51 ✅ (S1: 依法申请行政复议或者提起行政诉讼). The periods are
# ◐: 行政复议法（2023年修订）第二十条 (六十日) and 行政诉讼法第四十六条 (六个月) as quoted
# by secondary copies only; regulation.md §5 item 5 still lists them as ❓.
REMEDY_GENERIC = (
    "如对本答复不服，可以自收到本答复书之日起六十日内依法申请行政复议，"
    "或者自收到本答复书之日起六个月内依法向人民法院提起行政诉讼。"
)
REMEDY_NAMED = (
    "如对本答复不服，可以自收到本答复书之日起六十日内向{复议机关}申请行政复议，"
    "或者自收到本答复书之日起六个月内向{管辖法院}提起行政诉讼。"
)

_REPLY_OPENING = (
    "{申请人}：\n"
    "本机关于{收到日期}收到{称谓}提出的政府信息公开申请（受理编号：{受理编号}），"
    "申请获取：“{申请内容}”。经审查，现答复如下：\n"
)
_REPLY_CLOSING = "\n{救济途径}\n特此告知。"
# Art. 36(三)(五), Art. 37: the case's own facts and reasons, as the handler drafted them.
_REASONS = "\n具体理由：{事实和理由}"
_BASIS = "\n法律依据：{法律依据}。"
_DENY = f"根据{LAW}第{{articles}}、第三十六条第（三）项的规定，本机关决定不予公开。"


def _reply(middle, *, reasons=True):
    """An answer: the opening (the request's facts), the finding, then, for a refusal,
    the case's reasons and legal basis, and the remedy notice (Art. 51)."""
    if reasons:
        middle += _REASONS + ("" if "{法律依据}" in middle else _BASIS)
    return _REPLY_OPENING + middle + _REPLY_CLOSING


def _deny(finding, articles):
    return _reply(finding + _DENY.replace("{articles}", articles))


REPLY_TITLE = "政府信息公开申请答复书"

# key → label, title, body. Reply keys are "reply." + a cases.models.Outcome value.
DEFAULTS = {
    # Art. 31 (收到申请之日), Art. 33 第二款/第三款 (20 working days, extension, pauses).
    "receipt": {
        "label": "受理回执",
        "title": "政府信息公开申请受理回执",
        "body": (
            "{申请人}：\n"
            "本机关已于{收到日期}收到{称谓}提出的政府信息公开申请，受理编号为{受理编号}。"
            "申请内容：“{申请内容}”。\n"
            f"根据{LAW}第三十三条第二款的规定，本机关将自收到申请之日起20个工作日内"
            "（即{答复期限}前）予以答复；需要延长答复期限的，将经政府信息公开工作机构负责人同意"
            "并告知{称谓}，延长的期限最长不超过20个工作日。征求第三方和其他机关意见所需时间"
            "不计算在上述期限内（第三十三条第三款）。\n"
            "{称谓}可以凭受理编号{受理编号}和查询码{查询码}在本机关政府信息公开网站"
            "“办理进度查询”页面查询办理进度和答复文书。\n"
            "特此回执。"
        ),
    },
    # The proof of delivery kept in the file (国办公开办函〔2016〕235号: the date that counts
    # differs by method); printed before delivery, blanks are filled in and signed by hand.
    "delivery_receipt": {
        "label": "送达回证",
        "title": "政府信息公开答复送达回证",
        "body": (
            "受送达人：{申请人}\n"
            "受理编号：{受理编号}\n"
            "送达文书：{送达文书}\n"
            "送达方式：{送达方式}\n"
            "送达地址：{送达地址}\n"
            "送达日期：{送达日期}\n"
            "EMS 邮件号：{邮件号}\n"
            "受送达人签名（盖章）：＿＿＿＿＿＿＿＿\n"
            "签收日期：＿＿＿＿年＿＿月＿＿日\n"
            "代收人签名及代收理由：＿＿＿＿＿＿＿＿＿＿＿＿\n"
            "送达人签名：＿＿＿＿＿＿＿＿\n"
            "备注：直接送达、委托送达以受送达人签收之日为送达日期；邮寄送达以交邮之日为送达日期；"
            "电子送达以答复书发布于办理进度查询页面及发送至电子邮箱之日为送达日期。"
        ),
    },
    # Art. 29 (what a request contains), Art. 30 (one notice, 7 working days, restart, lapse).
    "correction": {
        "label": "补正告知书",
        "title": "政府信息公开申请补正告知书",
        "body": (
            "{申请人}：\n"
            "本机关于{收到日期}收到{称谓}提出的政府信息公开申请（受理编号：{受理编号}），"
            "申请内容：“{申请内容}”。经审查，{称谓}的申请内容不明确。"
            f"根据{LAW}第二十九条、第三十条的规定，请{{称谓}}对以下事项作出补正：\n"
            "{补正事项}\n"
            "请于{补正期限}前将补正后的申请提交本机关。答复期限自本机关收到补正的申请之日起计算。"
            "{称谓}无正当理由逾期不补正的，视为放弃申请，本机关将不再处理该政府信息公开申请。\n"
            "特此告知。"
        ),
    },
    # Art. 32: written consultation of a third party, 15 working days; the applicant is not
    # named to the third party.
    "consultation.third_party": {
        "label": "征求意见书（第三方）",
        "title": "政府信息公开征求第三方意见书",
        "body": (
            "{征求对象}：\n"
            "本机关收到一份政府信息公开申请（受理编号：{受理编号}），申请公开的政府信息为："
            "“{申请内容}”。本机关认为公开该信息可能损害你方的合法权益。"
            f"根据{LAW}第三十二条的规定，现书面征求你方意见。\n"
            "请你方自收到本征求意见书之日起15个工作日内提出书面意见；不同意公开的，请说明理由。"
            f"逾期未提出意见的，本机关将依照{LAW}的规定决定是否公开。\n"
            "特此函询。"
        ),
    },
    # Art. 34: consultation of another agency; silence within 15 working days = consent.
    "consultation.agency": {
        "label": "征求意见书（其他机关）",
        "title": "政府信息公开征求意见函",
        "body": (
            "{征求对象}：\n"
            "本机关收到一份政府信息公开申请（受理编号：{受理编号}），申请公开的政府信息为："
            "“{申请内容}”。该信息涉及贵机关。"
            f"根据{LAW}第三十四条的规定，现征求贵机关意见。\n"
            "请贵机关自收到本函之日起15个工作日内提出意见；逾期未提出意见的，视为同意公开。\n"
            "特此函询。"
        ),
    },
    # Art. 33 第二款: extension approved by the 工作机构负责人 and told to the applicant.
    "extension": {
        "label": "延期答复告知书",
        "title": "政府信息公开申请延期答复告知书",
        "body": (
            "{申请人}：\n"
            "本机关于{收到日期}收到{称谓}提出的政府信息公开申请（受理编号：{受理编号}）。"
            "因{延期理由}，本机关不能在{原答复期限}前作出答复。"
            f"根据{LAW}第三十三条第二款的规定，经本机关政府信息公开工作机构负责人同意，"
            "答复期限延长至{答复期限}（延长的期限不超过20个工作日）。\n"
            "特此告知。"
        ),
    },
    # Art. 42 ✅; 国办函〔2020〕109号 Arts. 1–5 ✅; the 20 working days to pay and 视为放弃
    # are ◐ (regulation.md §1.9, S4).
    "fee": {
        "label": "收费通知",
        "title": "政府信息公开信息处理费收费通知",
        "body": (
            "{申请人}：\n"
            "本机关于{收到日期}收到{称谓}提出的政府信息公开申请（受理编号：{受理编号}）。"
            "{称谓}申请公开政府信息的数量、频次明显超过合理范围，"
            f"根据{LAW}第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
            "的规定，本机关依法收取信息处理费。\n"
            "收费依据：{收费依据}。收费金额：人民币{收费金额}元。\n"
            "请{称谓}于{缴费期限}前缴纳。逾期未缴纳的，视为放弃申请，"
            "本机关将不再处理该政府信息公开申请。\n"
            "特此通知。"
        ),
    },
    # ---- 答复书, one per table 三 result row -------------------------------------------
    # Art. 36(二); an already proactively published item is Art. 36(一) (regulation.md
    # §1.8 ❓ counts it here too): the agency edits this text for that case.
    "reply.granted": {
        "label": "答复书（予以公开）",
        "title": REPLY_TITLE,
        "body": _reply(
            "{称谓}申请获取的政府信息属于可以公开的政府信息。"
            f"根据{LAW}第三十六条第（二）项的规定，本机关向{{称谓}}提供该政府信息（见附件），"
            "提供方式：{获取方式}。",
            reasons=False,
        ),
    },
    # Art. 37 区分处理.
    "reply.partial": {
        "label": "答复书（部分公开）",
        "title": REPLY_TITLE,
        "body": _reply(
            "{称谓}申请获取的政府信息中，部分内容不应当公开，但能够作区分处理。"
            f"根据{LAW}第三十七条的规定，本机关向{{称谓}}提供可以公开的部分（见附件），"
            "提供方式：{获取方式}。\n"
            "不予公开部分的理由和依据：{法律依据}。"
        ),
    },
    # Art. 14 (three grounds), Art. 36(三).
    "reply.denied.state_secret": {
        "label": "答复书（不予公开：国家秘密）",
        "title": REPLY_TITLE,
        "body": _deny("{称谓}申请获取的政府信息属于依法确定为国家秘密的政府信息。", "十四条"),
    },
    "reply.denied.prohibited_by_law": {
        "label": "答复书（不予公开：法律行政法规禁止公开）",
        "title": REPLY_TITLE,
        "body": _deny(
            "{称谓}申请获取的政府信息属于法律、行政法规禁止公开的政府信息（依据：{法律依据}）。",
            "十四条",
        ),
    },
    "reply.denied.security_stability": {
        "label": "答复书（不予公开：危及“三安全一稳定”）",
        "title": REPLY_TITLE,
        "body": _deny(
            "{称谓}申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。",
            "十四条",
        ),
    },
    # Art. 15, Art. 32 (the third party was consulted or disclosure would harm it).
    "reply.denied.third_party": {
        "label": "答复书（不予公开：保护第三方合法权益）",
        "title": REPLY_TITLE,
        "body": _deny(
            "{称谓}申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。",
            "十五条、第三十二条",
        ),
    },
    # Art. 16 第一款.
    "reply.denied.internal_affairs": {
        "label": "答复书（不予公开：内部事务信息）",
        "title": REPLY_TITLE,
        "body": _deny(
            "{称谓}申请获取的政府信息属于行政机关的内部事务信息（人事管理、后勤管理、内部工作流程等）。",
            "十六条第一款",
        ),
    },
    # Art. 16 第二款.
    "reply.denied.process_info": {
        "label": "答复书（不予公开：过程性信息）",
        "title": REPLY_TITLE,
        "body": _deny(
            "{称谓}申请获取的政府信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、"
            "磋商信函、请示报告等过程性信息。",
            "十六条第二款",
        ),
    },
    "reply.denied.enforcement_file": {
        "label": "答复书（不予公开：行政执法案卷）",
        "title": REPLY_TITLE,
        "body": _deny("{称谓}申请获取的政府信息属于行政执法案卷信息。", "十六条第二款"),
    },
    # Art. 36(七) — the row ↔ article mapping is ❓ in regulation.md §1.8 (unverified).
    "reply.denied.query_matter": {
        "label": "答复书（不予公开：行政查询事项）",
        "title": REPLY_TITLE,
        "body": _reply(
            "{称谓}申请获取的信息属于行政查询事项，有关法律、行政法规对该信息的获取有特别规定。"
            f"根据{LAW}第三十六条第（七）项的规定，请{{称谓}}依照有关规定办理：{{法律依据}}。"
        ),
    },
    # Art. 36(四) 不存在; for information another agency is responsible for (Art. 36(五))
    # the agency names that agency in {法律依据}.
    "reply.unavailable.not_held": {
        "label": "答复书（无法提供：本机关不掌握）",
        "title": REPLY_TITLE,
        "body": _reply(
            "经检索，本机关没有制作或者获取{称谓}申请公开的政府信息。"
            f"根据{LAW}第三十六条第（四）项、第（五）项的规定，告知{{称谓}}：{{法律依据}}。"
        ),
    },
    # Art. 38.
    "reply.unavailable.needs_creation": {
        "label": "答复书（无法提供：需另行制作）",
        "title": REPLY_TITLE,
        "body": _reply(
            "本机关没有{称谓}申请的现成信息，提供该信息需要对现有政府信息进行加工、分析。"
            f"根据{LAW}第三十八条的规定，本机关不予提供。"
        ),
    },
    # Art. 30 (the row ↔ article mapping is ❓ in regulation.md §1.8).
    "reply.unavailable.unclear": {
        "label": "答复书（无法提供：补正后仍不明确）",
        "title": REPLY_TITLE,
        "body": _reply(
            "本机关已于{补正告知日期}告知{称谓}补正申请内容，{称谓}补正后的申请内容仍不明确，"
            "本机关无法确定{称谓}所需的政府信息。"
            f"根据{LAW}第二十九条、第三十条的规定，本机关无法向{{称谓}}提供。"
            "{称谓}可以写明所需信息的名称、文号或者其他特征性描述后重新提出申请。"
        ),
    },
    # Art. 39 第一款.
    "reply.not_processed.petition": {
        "label": "答复书（不予处理：信访举报投诉）",
        "title": REPLY_TITLE,
        "body": _reply(
            "{称谓}以政府信息公开申请的形式提出的事项属于信访、投诉、举报。"
            f"根据{LAW}第三十九条第一款的规定，本机关不作为政府信息公开申请处理，"
            "{称谓}可以通过信访、投诉、举报等相应渠道提出。"
        ),
    },
    # Art. 36(六).
    "reply.not_processed.duplicate": {
        "label": "答复书（不予处理：重复申请）",
        "title": REPLY_TITLE,
        "body": _reply(
            "本机关已就{称谓}提出的相同政府信息公开申请作出答复（{法律依据}）。"
            f"根据{LAW}第三十六条第（六）项的规定，本机关不予重复处理。"
        ),
    },
    # Art. 39 第二款.
    "reply.not_processed.publication": {
        "label": "答复书（不予处理：公开出版物）",
        "title": REPLY_TITLE,
        "body": _reply(
            "{称谓}申请获取的信息属于政府公报、报刊、书籍等公开出版物。"
            f"根据{LAW}第三十九条第二款的规定，告知{{称谓}}获取途径：{{法律依据}}。"
        ),
    },
    # Art. 35.
    "reply.not_processed.mass_repeat": {
        "label": "答复书（不予处理：无正当理由大量反复申请）",
        "title": REPLY_TITLE,
        "body": _reply(
            "{称谓}申请公开政府信息的数量、频次明显超过合理范围，本机关已要求{称谓}说明理由，"
            "{称谓}提出的理由不合理。"
            f"根据{LAW}第三十五条的规定，本机关不予处理。"
        ),
    },
    # ❓ regulation.md §1.7: no explicit article found; the letter cites none.
    "reply.not_processed.confirm_or_reissue": {
        "label": "答复书（不予处理：要求确认或重新出具已获取信息）",
        "title": REPLY_TITLE,
        "body": _reply(
            "{称谓}要求本机关确认或者重新出具{称谓}已经获取的信息，该要求不属于政府信息公开申请"
            "所能解决的事项，本机关不予处理。{法律依据}"
        ),
    },
    # Art. 30 视为放弃申请.
    "reply.other.no_correction": {
        "label": "告知书（逾期未补正）",
        "title": "政府信息公开申请终止处理告知书",
        "body": _reply(
            "本机关已于{补正告知日期}告知{称谓}补正申请内容，补正期限为{补正期限}。"
            "{称谓}无正当理由逾期未补正，"
            f"根据{LAW}第三十条的规定，视为放弃申请，本机关不再处理该政府信息公开申请。",
            reasons=False,
        ),
    },
    # Art. 42; 109号 (视为放弃 ◐, regulation.md §1.9).
    "reply.other.no_fee": {
        "label": "告知书（逾期未缴费）",
        "title": "政府信息公开申请终止处理告知书",
        "body": _reply(
            "本机关已于{收费通知日期}向{称谓}发出收费通知，缴费期限为{缴费期限}。{称谓}逾期未缴纳信息处理费，"
            f"根据{LAW}第四十二条和《政府信息公开信息处理费管理办法》的规定，视为放弃申请，"
            "本机关不再处理该政府信息公开申请。",
            reasons=False,
        ),
    },
    # e.g. a withdrawn request (regulation.md §1.8 ❓); the reason is the case's 法律依据.
    "reply.other.other": {
        "label": "告知书（其他处理）",
        "title": "政府信息公开申请办理结果告知书",
        "body": _reply("{称谓}的申请已按以下情况办结：{法律依据}。", reasons=False),
    },
}
