"""Words a Chinese hospital form is made of: field labels, titles, surnames, narrative words."""
from __future__ import annotations

from collections.abc import Sequence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Field labels seen on admission records, orders, nursing sheets and reports. A value stops where
# one of these starts ("张三性别男"), and a table cell holding one is a header, not a value.
FIELD_WORDS = _words("""
姓名 患者姓名 病人姓名 性别 年龄 出生日期 出生地 籍贯 民族 国籍 职业 婚姻 婚否 科室 科别 病区 病室
床号 床位 病房 住院号 门诊号 病案号 病历号 登记号 就诊号 流水号 ID号 入院日期 入院时间 出院日期
出院时间 身份证号 身份证 证件号 电话 联系电话 手机 手机号 住址 地址 现住址 户口地址 家庭住址 工作单位
单位 联系人 关系 与患者关系 监护人 家属 诊断 临床诊断 入院诊断 出院诊断 初步诊断 主诉 现病史 既往史 个人史
婚育史 月经史 家族史 体格检查 日期 时间 签名 签字 医师 医生 护士 记录者 审核者 记录人 审核人
主治医师 住院医师 主任医师 责任护士 费别 医保 血型 体重 身高 体温 脉搏 呼吸 血压 孕次 产次 孕周
邮编 邮政编码 病史陈述者 陈述者 可靠程度 记录时间 检查日期 报告日期 送检医师 检验者 审核 报告者
标本 项目 检验项目 检查项目 结果 提示 参考值 参考区间 参考范围 备注 医院 内容 医嘱 医嘱内容 开始 停止 执行 执行时间 剂量 用法 频次 药品 处理 记录
""")

# Titles that follow a name ("张三主任医师"): a name stops where one starts.
TITLES = _words("""
主任医师 副主任医师 主治医师 住院医师 实习医师 进修医师 规培医师 医师 医生 护士长 主管护师 护师 护士
教授 副教授 主任 副主任 院长 科长 大夫 先生 女士 老师 同志 技师 药师 助产士
""")

# Words that extend a label before its colon: "医师" + "签名：", "护士" + "长：".
LABEL_SUFFIXES = ("（签名）", "(签名)", "签名", "签字", "姓名", "名称", "长", "号码", "号")

# Common single-character surnames and the compound ones. Used only where a label has no colon
# and the value runs on in the same phrase ("患者张三因..."), to tell a name from a verb.
SURNAMES = frozenset(
    "丁万丛严丰乌乐乔于云亓井亢仇仝仲任伊伍伏但位何佘余佟侯俞信修倪傅储元党全公兰关冀冉农冯况"
    "冶冷冼凌刁刘初利劳勾包匡区华卓单南卜卞卢卫印危卿厉原古史叶司吉向吕吴周呼和哈唐商喻国夏奉"
    "奚姚姜姬娄孔孙孟季宁安宋宗官宣宫容宾宿寇富封尉尚尤尧尹居屈展屠岑岳崔嵇左巩巫巴帅师席常干"
    "平幸庄应庞康廉廖张强彭徐惠慕戈戎成战戚戴房扈揭支敖敬文斯方施时明易昝晁晋晏普景智曲曹曾朱"
    "朴权李杜束来杨杭林柏查柯柳柴栗栾桂桑梁梅植楚楼樊檀欧武段殷母毕毛江池汤汪沈沙洪浦海涂温游"
    "湛滕满漆潘焦熊燕牛牟狄玉王班甄甘田由申白皮盖盘盛相瞿石祁祖祝禹秦程穆窦章童符简管米粟索纪"
    "练缪罗羊翁翟耿聂胡胥臧舒艾芦芮花苏苑苗苟范茅茹荆荣莫萧葛董蒋蒙蒲蓝蔡蔺薄薛虞衡衣袁裘裴褚"
    "覃解詹计许诸谈谌谢谭谷豆费贺贾赖赫赵路车辛辜边连迟逯邓邝邢那邬邰邱邵邸邹郁郎郑郜郝郭都鄢"
    "金钟钱银门闭闵闻阎阙阚阮阳阴阿陆陈陶隆隋雍雷霍靳鞠韦韩项顾颜饶马骆高魏鲁鲍鲜鹿麦麻黄黎齐"
    "龙龚肖尹邝靖宓佴蓬郗汝荀甘钮晏饶戚蒯隗伏桓腾"
)
COMPOUND_SURNAMES = _words("欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 令狐 夏侯 端木 "
                           "西门 南宫 独孤 轩辕 司徒 呼延 澹台")

# Surname characters that, right after a colon-less label, are far more often a function word:
# "患者于今晨...", "家属要求...", "病人由急诊...".
NOT_A_NAME_START = frozenset("于和向常时都那平应明文安全强成来由从与及在为被已未再也又并仍经因对将把给所可能要需"
                             "查")     # 主治医师查房

# Words that open a clause rather than a name, after a colon-less label ("医师查房", "家属同意").
NOT_A_NAME = _words("查房 查体 查看 指示 同意 要求 签字 签名 表示 交代 告知 诊断 考虑 建议 意见 会诊 "
                    "讨论 病情 陪同 详细 商议 决定 拒绝 放弃 知情 理解 确认 记录 说明 协助 在场 立即 "
                    "组织 进行 给予 予以 目前 当时 随即 再次 反映 回忆 介绍 描述 签署 到场 来院 "
                    "不详 不明 未知 无名")   # "姓名不详": an unknown patient, no name

# Inside a colon-less phrase a name ends before these ("患者张三因腹痛入院" -> 张三).
NARRATIVE_STOPS = frozenset("因于诉在以主入出既无有的之等及与和为是今昨自经行已未突反持于并伴现要陪详（(，")

# Never part of a name, wherever they stand.
NAME_STOPS = frozenset("男女岁")


def starts_with_any(text: str, pos: int, words: frozenset[str], max_len: int = 6) -> bool:
    """Whether one of `words` starts at text[pos]."""
    for n in range(min(max_len, len(text) - pos), 1, -1):
        if text[pos:pos + n] in words:
            return True
    return False


def field_words(text: str) -> int:
    """How many places of `text` a field word starts at: a table's header row holds several."""
    return sum(starts_with_any(text, i, FIELD_WORDS) for i in range(len(text)))

# Where a name ends: a field label or a title starts.
# Verbs that follow a relative's name in narrative ("与家属周成沟通"): never its last character.
NARRATIVE_VERBS = frozenset({"沟通", "签字", "签名", "同意", "表示", "要求", "拒绝", "知情",
                             "陪同", "商量", "商议", "探视", "告知", "谈话", "交代", "决定",
                             "放弃", "选择", "理解"})
NAME_ENDERS = FIELD_WORDS | TITLES | NARRATIVE_VERBS


def words_in(t: str, s: int, e: int, headers: Sequence[str] = ()
             ) -> tuple[list[tuple[int, int, bool]], int]:
    """Header and field words of t[s:e], longest first, as (start, end, is a header); and how
    many letters or digits no word covers. Spaces inside a word are allowed ("护 士 签 名")."""
    words = {w: w in headers for w in FIELD_WORDS}
    words.update({h: True for h in headers})
    longest = max(map(len, words))
    tokens: list[tuple[int, int, bool]] = []
    stray, i = 0, s
    while i < e:
        if not t[i].isalnum():
            i += 1
            continue
        got = None
        for n in range(longest, 1, -1):
            j, chars = i, []
            while j < e and len(chars) < n:
                if not t[j].isspace():
                    chars.append(t[j])
                j += 1
            word = "".join(chars)
            if len(word) == n and word in words:
                got = (i, j, words[word] or any(h in word for h in headers))
                break
        if got is None:
            stray += 1
            i += 1
            continue
        tokens.append(got)
        i = got[1]
    return tokens, stray


# Words that follow a relative's or carer's name in notes ("黄琳陪护", "配偶都飞体健",
# "与家属毛秀荣、禹凤英沟通"), or the relation in brackets ("齐磊(配偶)要求").
# A newborn not yet named is registered as its mother's child: "曾可馨之女".
NEWBORN_SUFFIXES = frozenset({"之女", "之子", "之男", "之婴", "之儿"})

AFTER_NAME = ("陪护", "陪同", "陪伴", "代诉", "诉", "体健", "签字", "签名", "要求", "同意",
              "拒绝", "表示", "沟通", "谈话", "详细交代", "交代病情", "在场")


# What a note says a relative named after the relation did ("母亲逯玲于…携患儿来院", "据母亲逯玲
# 反映"): after the relation read whole, as telling as a carer's word (seed 77 V0001-08).
RELATIVE_ACTS = ("于", "携", "反映", "称", "述")


# Words ending as a relation does that name no relative: "大夫喜鹏陪护" is a doctor's.
NOT_RELATIONS = ("大夫", "病人", "本人", "患儿")


# Label endings that name a member of staff: a cell holding one of these and a short name, and
# nothing else, is a form field ("送检医师文林"), not a phrase of running text.
STAFF_ENDINGS = ("医师", "医生", "护士", "护师", "技师", "助产士")
# What a note says a named member of staff did next ("值班医师某某立即组织抢救").
STAFF_ACTS = ("立即", "随即", "即刻", "到场", "到达", "赶到", "查看", "察看", "组织", "指示",
              "指导", "嘱", "予", "给予", "接诊", "查房", "会诊", "参加", "协助", "主持", "评估")


# Words every record is full of; a value OCR read as one of them is hidden where it stood but
# never hunted elsewhere (`propagate.huntable`).
RECORD_WORDS = NOT_A_NAME | FIELD_WORDS | _words("""
出院 入院 转院 转科 住院 死亡 抢救 护理 记录 医嘱 病程 门诊 急诊 检查 检验 报告 手术 麻醉 会诊
诊断 治疗 病历 病情 复查 观察 静滴 口服 肌注 静推 吸氧 监护 常规 处理 执行 核对 签收 停止 长期 临时
""")
