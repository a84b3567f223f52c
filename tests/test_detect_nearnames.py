"""Known names OCR read a character or two off, hunted where a name stands: after a relation
or a staff title, before a carer's word, in a list, filling a form's cell."""
from __future__ import annotations

from test_detect_grid import covered_text, line, page, rows, values
from test_detect_propagate import ocr_rows

from workers.detect import ValueHunter


def covered(hunter: ValueHunter, text: str) -> str:
    """What the hunter hides of one OCR line."""
    pg = page(ocr_rows(text))
    return covered_text(pg, hunter.find(pg))


NAMES = {"孟凡瑾": ("家属姓名", "n:1"), "韩志刚": ("医护人员", "n:2"), "张明显": ("医护人员", "n:3")}


def test_a_known_name_ocr_read_one_character_off_where_a_name_stands():
    pg = page(ocr_rows("通知值班医师|孟凡谨,", "静滴q8h韩志钢关于", "姓名时志 刚性别男", "配偶孟几瑾陪护"))
    found = ValueHunter(NAMES).find(pg)
    # Each carries the known value, so the person gets one pseudonym everywhere.
    assert sorted(values(found)) == ["孟凡瑾", "孟凡瑾", "韩志刚", "韩志刚"]
    # On a scan the marks OCR read beside a value go with it (view._with_marks).
    assert covered_text(pg, found) == "孟凡谨,韩志钢时志刚孟几瑾"
    assert {f.rule for f in found} == {"n:1", "n:2"}


def test_a_name_read_one_off_after_a_relation_its_first_character_wrapped_away():
    # Seed 45 V0013-09: a nursing note's "…配" / "偶杨梓董陪护" (配偶杨梓萱陪护), OCR joining the
    # cell's second line to the row beside it. Not after any character: "偶" alone is no relation.
    for text, want in (("95 偶孟凡谨陪护 莫子通", "孟凡谨"), ("偶孟凡谨陪护", "孟凡谨"),
                       ("95 患孟凡谨陪护", ""), ("配偶孟凡谨陪护", "孟凡谨")):
        pg = page(ocr_rows(text))
        assert covered_text(pg, ValueHunter(NAMES).find(pg)) == want, text


def test_a_name_read_two_characters_off_between_a_sentences_end_and_a_persons_word():
    # Seed 60 V0030-11: a death discussion's "效死亡。廖梓萱在场，" read "效死亡。雇梓芝在场，":
    # only a given character read right. Only where a sentence or line opens with it and a
    # word that follows a person closes it.
    hunter = ValueHunter({"廖梓萱": ("家属姓名", "f:1"), "王建夫": ("家属姓名", "f:1")})
    for text, want in (("效死亡。雇梓芝在场，已告知死亡原因。", "。雇梓芝"), ("雇梓芝陪护", "雇梓芝"),
                       ("效死亡。雇梓芝，已告知", ""), ("效死亡雇梓芝在场", ""),
                       ("。廖子芝在场", ""), ("。雇梓芝在", ""), ("。其丈夫陪护", "")):
        assert covered(hunter, text) == want, text


def test_near_names_leave_clinical_words_and_text_layers_alone():
    hunter = ValueHunter(NAMES)
    # "明显" inside a phrase is a word, not 张明显 with a misread surname.
    assert hunter.find(page(ocr_rows("患者病情明显好转，予出院"))) == []
    # Only OCR misreads a name: in a text layer 韩志钢 is someone else.
    assert hunter.find(page(rows("韩志钢，男"))) == []
    # Two characters off is another name; two-character names are too short to guess at.
    assert ValueHunter({"李娜": ("医护人员", "x")}).find(page(ocr_rows("王娜，"))) == []
    assert hunter.find(page(ocr_rows("韩小钢，"))) == []


def test_a_long_value_ocr_read_one_character_off_is_found_on_ocr_lines_only():
    known = {"武汉市妇产科医院": ("医院名称", "a:4")}
    footer = line("武汉市妇产科医阮  第1页/共1页", y=800)
    typed = line("武汉市妇产科医阮", y=820)
    other = line("武汉市妇幼保健院", y=840)        # another institution: 3 characters differ
    footer.source = other.source = "ocr"
    pg = page(footer, typed, other)
    found = ValueHunter(known).find(pg)
    assert values(found) == ["武汉市妇产科医院"]
    assert covered_text(pg, found) == "武汉市妇产科医阮"
    # Seed 65 V0003-02: a CTG's header "郑州市第三人民医院" read "郑州市第三人民医", its 院 under a
    # logo read as a mark of handwriting. One character lost, not two.
    known = {"郑州市第三人民医院": ("医院名称", "a:4")}
    for text, want in (("郑州市第三人民医", "郑州市第三人民医"), ("郑州市第三人民", "")):
        pg = page(ocr_rows(text))
        assert covered_text(pg, ValueHunter(known).find(pg)) == want, text


def test_a_long_value_read_one_off_is_found_whole_around_a_shorter_known_value():
    # The footer's short form "市妇幼" was hunted exactly; the full name one character off
    # around it must still be taken whole, or "合肥" and "保健哮" stay readable (seed 22 V0024).
    known = {"合肥市妇幼保健院": ("医院名称", "a:4"), "市妇幼": ("医院名称", "a:5")}
    footer = line("合肥市妇幼保健哮 第1习/共1页", y=800)
    footer.source = "ocr"
    pg = page(footer)
    found = ValueHunter(known).find(pg)
    assert "合肥市妇幼保健哮" in covered_text(pg, found)


def test_names_listed_after_a_known_name_are_taken_with_their_own_value():
    # "明" opens common words, so the label "家属" before it in running text is not trusted;
    # the name is known from elsewhere, and the relative listed after it never had a label.
    pg = page(rows("与家属明军、幸莉沟通病情，", "明军、男、45岁。"))
    found = ValueHunter({"明军": ("家属姓名", "f:1")}).find(pg)
    assert [(f.value, f.category) for f in found] == [
        ("明军", "家属姓名"), ("幸莉", "家属姓名"), ("明军", "家属姓名")]
    assert covered_text(pg, found) == "明军幸莉明军"
    # So after a known name OCR read one character off: "与家属樊文博、邓可馨沟通" read
    # "与家属攀文博、邓可芯沟通" (seed 68 V0016-02, unseen), 邓可馨 known nowhere else.
    pg = page(ocr_rows("产科护理常规。与家属攀文博、邓可芯沟通，家属同意进一步检"))
    found = ValueHunter({"樊文博": ("家属姓名", "f:1")}).find(pg)
    assert covered_text(pg, found) == "攀文博、邓可芯"
    assert [f.value for f in found] == ["樊文博", "邓可芯"]


def test_a_two_character_name_misread_by_one_character_before_a_carer_word():
    # A scanned nursing note: "黄琳陪护" read "黄麻陪护". One character of two agrees, so only
    # where a word that follows a person comes next.
    hunter = ValueHunter({"黄琳": ("家属姓名", "f:1")})
    pg = page(ocr_rows("08-15 12:47 384 126 147/86 87。黄麻陪护", "母亲黄麻诉患儿哭闹",
                       "病重。黄震(配偶)要求积极治疗"))
    assert covered_text(pg, hunter.find(pg)) == "。黄麻黄麻。黄震("
    assert values(hunter.find(pg)) == ["黄琳", "黄琳", "黄琳"]
    for text in ("母亲黄疸史，黄体酮治疗", "予黄连素口服", "黄疸(轻度)", "黄麻陪护"):
        assert hunter.find(page(rows(text) if text == "黄麻陪护" else ocr_rows(text))) == [], text
    # Seed 35 V0025-11: "丈夫邹鑫陪护" read "浆夫邹讲陪护": the relation's first character and
    # the given name both misread; the relation's last character still stands before the name.
    zou = ValueHunter({"邹鑫": ("家属姓名", "f:1")})
    pg = page(ocr_rows("08/10 07:05 38.2 160 38 124/70 86 护理，浆夫邹讲陪护 字祭"))
    assert covered_text(pg, zou.find(pg)) == "邹讲"
    for text in ("大学邹讲陪护", "邹讲师陪护", "浆夫邹讲课"):
        assert zou.find(page(ocr_rows(text))) == [], text
    # Seed 45 V0022-07: "配偶顾瑞陪护" read "配偶丘瑞隔护", the surname and 陪 both misread:
    # after a relation word, a carer's word whose last character stands is enough.
    gu = ValueHunter({"顾瑞": ("家属姓名", "f:1")})
    pg = page(ocr_rows("面色红润;皮肤黄染,按刘富庶，配偶丘瑞隔护， 计疗-"))
    assert covered_text(pg, gu.find(pg)) == "丘瑞"
    for text in ("配偶丘瑞乏力", "皮肤丘瑞隔护"):
        assert gu.find(page(ocr_rows(text))) == [], text
    # Seed 58 V0010-04: "已向孕妇丈夫傅瑞详细交代病情" read "丈夫传瑞详细交代": a doctor tells a
    # person what is wrong, so a name stands before 详细交代 as before 沟通.
    fu = ValueHunter({"傅瑞": ("家属姓名", "f:1")})
    pg = page(ocr_rows("低盐低脂饮食。已向孕妇丈夫传瑞详细交代病情及预后，其表示"))
    assert covered_text(pg, fu.find(pg)) == "传瑞"
    assert fu.find(page(ocr_rows("已向孕妇丈夫传瑞交代了"))) == []


def test_a_relatives_name_after_a_form_label_or_with_its_surname_dropped():
    # Seed 36 V0026-01: "联系人姓名 萧雪" read "联系人姓名并雪" (a form's label for a relative,
    # the cell closing the line), and "母亲萧雪陪同" read "母亲雪陪同" (the surname dropped).
    xiao = ValueHunter({"萧雪": ("家属姓名", "f:1")})
    for text, want in (("电话 14067003969 联系人姓名并雪", "并雪"), ("日由母亲雪陪同来我院", "雪"),
                       ("联系人姓名并雪花膏", ""), ("母亲雪白", ""), ("雪陪同", ""),
                       ("晨起下雪陪同家属", "")):
        assert covered(xiao, text) == want, text
    # Seed 42 V0014-03: "丈夫姓名 吕峰 丈夫电话" read "丈夫姓名 虽峰 丈夫电话".
    lv = ValueHunter({"吕峰": ("家属姓名", "f:1")})
    for text, want in (("丈夫姓名 虽峰 丈夫电话|160 8678 8489", "虽峰"), ("丈夫姓名 虽峰岭", "")):
        assert covered(lv, text) == want, text
    # Seed 58 V0020-07: the patient's own "病人姓名丁坤 性别男" read "病人姓名本坤”性别男".
    ding = ValueHunter({"丁坤": ("患者姓名", "f:1")})
    for text, want in (("病人姓名本坤”性别男 年龄:81宏", "本坤”"), ("姓名：本坤 性别男", "：本坤"),
                       ("病人姓名本坤林 性别男", ""), ("病人本坤”性别男", ""),
                       # Seed 60 V0030-11: "患者廖梅，女，11天" read "患者座梅，女".
                       ("患者本坤，男，35岁，住院号", "本坤，"), ("患者本坤，诉腹痛", "")):
        assert covered(ding, text) == want, text


def test_a_misread_name_before_a_staff_title_that_closes_its_entry():
    # Seed 60 V0027-10: a death discussion's "参加人员：…、邝成(住院医师)、…" read ".锁成(住院医师)",
    # and its "邝成住院医师：" opening an opinion read "印成住院医师:".
    kuang = ValueHunter({"邝成": ("医护人员", "f:1")})
    for text, want in (("参加人员:郑梓莹副主任医师、刘慧(主治医师)、.锁成(住院医师)、王诗涵", ")、.锁成("),
                       ("印成住院医师:胸外按压:考虑急性呼吸窘迫综合征", "印成"),
                       ("刘慧、印成主治医师", "、印成"),
                       ("已完成住院医师查房", ""), ("完成主治医师查房后", ""),
                       ("印成住院医", "")):
        assert covered(kuang, text) == want, text


def test_a_misread_name_first_in_a_list_of_relatives_the_verb_follows_the_last():
    # Seed 39 V0030-03: "与家属贾婷、谭建沟通" read "与家属蔷婷、谭建沟通": 沟通 follows the list,
    # not the first name, which is still a relative's; the name listed after it goes too.
    jia = ValueHunter({"贾婷": ("家属姓名", "f:1")})
    for text, want in (("与家属蔷婷、谭建沟通病情", "蔷婷、谭建"), ("与家属蔷婷和谭建华沟通", "蔷婷"),
                       ("与家属蔷婷、谭建", ""), ("与家属蔷婷、谭建及其他人员沟通", ""),
                       ("与蔷婷、谭建沟通", "")):
        assert covered(jia, text) == want, text


def test_a_known_surname_after_a_relation_its_given_character_read_as_a_mark():
    # Seed 38 V0027-06: "配偶张飞陪护" read "配 偶张《隧护" in a blurred nursing note.
    zhang = ValueHunter({"张飞": ("家属姓名", "f:1")})
    for text, want in (("患者睡眠可，配 偶张《隧护", "张《"), ("母亲张/陪同", "张/"),
                       ("配偶张3床", ""), ("医师张《", ""), ("配偶王《", "")):
        assert covered(zhang, text) == want, text


def test_a_carers_word_wrapped_onto_the_cells_next_line_still_follows_the_name():
    # Seed 37 V0008-09: "丈夫严佳陪护" wrapped in a nursing cell, read "浆夫严入" / "陪护".
    yan = ValueHunter({"严佳": ("家属姓名", "f:1")})
    for below, x, want in (("陪护", 200, "严入"),      # the cell's next line, under the note
                           ("陪护", 20, ""),           # not where the note starts: another cell
                           ("予吸氧", 200, "")):       # no carer's word
        note = line((200, "安抚家属情绪,浆夫严入"), y=100)
        nxt = line((x, below), y=112)
        for ln in (note, nxt):
            ln.source = "ocr"
        pg = page(note, nxt)
        assert covered_text(pg, yan.find(pg)) == want, (below, x)


def test_a_name_after_its_label_read_as_characters_ocr_was_unsure_of_is_hidden():
    # Seed 37 V0001-11: "患者配偶龚鑫于..." read "患者配偶壮栖于...", both characters unsure; the
    # record's clean pages showed 龚鑫 after 配偶. Only all-unsure characters, only there.
    gong = ValueHunter({"龚鑫": ("家属姓名", "f:1")},
                       beside_labels={("龚鑫", "配偶"): ("家属姓名", "f:1")})
    def scanned(text, unsure):
        ln = ocr_rows(text)[0]
        ln.unsure = unsure + " " * (len(text) - len(unsure))
        return page(ln)
    for text, unsure, want in (("患者配偶壮栖于2025-01-27陪同", "    ??", "壮栖"),
                               ("另据配偶葵春", "    ??", "葵春"),
                               ("患者配偶壮栖于2025-01-27陪同", "    ? ", ""),   # one read
                               ("患者丈夫壮栖于2025-01-27陪同", "    ??", "")):  # another label
        pg = scanned(text, unsure)
        found = gong.find(pg)
        assert covered_text(pg, found) == want, text
        assert all(f.value == "龚鑫" for f in found)


def test_a_staff_name_misread_by_one_character_filling_the_cell_after_a_staff_label():
    # Seed 33 V0026-06: "送检医师祝强" read "送检医师山强" on a scanned lab report.
    zhu = ValueHunter({"祝强": ("医护人员", "s:1")})
    for text, want in (("标本号”2304164493 送检医师山强", "山强"), ("送检医师山强 临床诊断 宫颈", "山强"),
                       ("送检医师山强壮", ""), ("检验者山强", ""), ("送检医师山河", "")):
        assert covered(zhu, text) == want, text
    assert zhu.find(page(rows("送检医师山强"))) == []     # printed: 山强 is someone else
    # Seed 75 V0026-11 (unseen), a death discussion's narrative: "值班医师龚帆立即组织抢救" read
    # "值班医师化帆立即组织", the surname misread with confidence. An act follows the name; not a
    # word of a note ("医师帆布"), nor after any word.
    gong = ValueHunter({"龚帆": ("医护人员", "s:1")})
    for text, want in (("对光反射灵敏，值班医师化帆立即组织", "化帆"), ("值班医师化帆到场查看患者", "化帆"),
                       ("值班医师化帆布", ""), ("病情变化帆立即组织", "")):
        assert covered(gong, text) == want, text


def test_a_two_character_name_with_its_surname_misread_between_relation_and_carer_word():
    # "丈夫宋欢陪护" wrapped in a nursing table cell and read "丈夫末欢陪" (seed 23 V0012):
    # only the given character agrees, so the relation word before it must be there too.
    hunter = ValueHunter({"宋欢": ("家属姓名", "f:1")})
    pg = page(ocr_rows("四肢温，三凹征，遵医嘱静脉输液，丈夫末欢陪", "予心电监护，配偶米欢诉头痛"))
    assert covered_text(pg, hunter.find(pg)) == "末欢米欢"
    # Seed 30 V0019-11: the relation wrapped in its cell ("丈" / "夫喜鹏陪护") and the surname
    # misread: the relation's last character opening the cell still counts.
    wrapped = page(ocr_rows("08-11 12:50 38.6 116 122/103 100。夫喜鹏陪护-区党."))
    assert covered_text(wrapped, ValueHunter({"彭鹏": ("家属姓名", "f:1")}).find(wrapped)) == "喜鹏"
    assert ValueHunter({"彭鹏": ("家属姓名", "f:1")}).find(page(ocr_rows("大夫喜鹏陪护"))) == []
    # Seed 76 V0022-02 (unseen): "今日由丈夫邱楠陪同" read "今日由浆夫印楠陪同", the relation's
    # first character and the surname both misread; its last, the given name and the carer's
    # word say it. Not without the carer's word.
    # Seed 77 V0001-08 (unseen), a death discussion: "母亲逯玲" read "母亲未玲" twice, once
    # before "于2025年5月2日携患儿来院", once before "反映": after the relation read whole, what a
    # relative did says it too. Not without the relation.
    lu = ValueHunter({"逯玲": ("家属姓名", "f:1")})
    for text, want in (("患儿母亲未玲于2025年5月2日携患儿来院", "未玲"), ("另据母亲未玲反映，曾", "未玲"),
                       ("患儿未玲于2025年5月2日", ""), ("母亲未玲好", "")):
        assert covered(lu, text) == want, text
    qiu = ValueHunter({"邱楠": ("家属姓名", "f:1")})
    for text, want in (("今日由浆夫印楠陪同来我院", "印楠"), ("今日由浆夫印楠来我院", "")):
        assert covered(qiu, text) == want, text
    for text in ("喜欢陪护患儿", "母亲联欢会", "丈夫末欢喜", "予心电监护末欢迎"):
        assert hunter.find(page(ocr_rows(text))) == [], text
    # Seed 31 V0004-02: a form's cell after a relation's label, the label cut short by OCR
    # too ("监护人 吕成" read "监护 但成"): the cell's end stands for the word after a person.
    guardian = ValueHunter({"吕成": ("家属姓名", "f:1")})
    for text, want in (("婚姻状况|已婚 监护 但成", "但成"), ("丈夫 吕戌 | 关系 夫妻", "吕戌"),
                       ("丈夫末欢", ""), ("予心电监护但成功", "")):
        assert covered(guardian, text) == want, text
    pg = page(ocr_rows("丈夫末欢"))
    assert covered_text(pg, hunter.find(pg)) == "末欢"
    # Seed 65 V0014-01 (unseen): a guardian's cell in a scanned table, specks read between it
    # and the phone's cell before it: "0504。。陈胸" for 陈鹏, 胸 unsure. Standing apart, one
    # character read right and OCR unsure of the other; not where OCR was sure, nor inside a
    # phrase.
    guardian = ValueHunter({"陈鹏": ("家属姓名", "f:1")})
    for text, doubt, want in (("儿科 162 3996 0504。。陈胸", "陈胸", "。。陈胸"),
                              ("儿科 162 3996 0504。。陈胸", "", ""),
                              ("0504 |除鹏 | 关系 父亲", "除", "除鹏"),
                              ("患者陈旧性心梗", "旧", "")):
        line = ocr_rows(text)[0]
        line.unsure = "".join("?" if doubt and ch in doubt[-1] else " " for ch in text)
        assert covered_text(page(line), guardian.find(page(line))) == want, (text, doubt)
    # Seed 67 V0001-11 (unseen): a death discussion's "亡。樊杨在场" read "亡。罗杨在场", OCR
    # unsure of both: opening a sentence a person's word goes on with. Not read with
    # confidence, nor where no person's word follows.
    husband = ValueHunter({"樊杨": ("家属姓名", "f:1")})
    for text, doubt, want in (("亡。罗杨在场，已告知死亡原因。", "罗杨", "。罗杨"),
                              ("亡。罗杨在场，已告知死亡原因。", "", ""),
                              ("亡。罗杨综合征待排。", "罗杨", "")):
        line = ocr_rows(text)[0]
        line.unsure = "".join("?" if ch in doubt else " " for ch in text)
        assert covered_text(page(line), husband.find(page(line))) == want, (text, doubt)
