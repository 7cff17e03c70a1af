#!/usr/bin/env python3
"""Generate the labelled noisy corpus for the perf-target template.

usage: scripts/gen_corpus.py [--seed N] [--out corpus]

Base forms: the six forms of the real sample (their gold values come from
tests/data/seed-expected.jsonl) plus invented forms (other units, decimal
amounts, several funding sources that add up, every option ticked somewhere,
mid-term indicators in the left half, other dates). Each base form is rendered
as a tab-flattened table and damaged with noise:

  light: checkbox styles, NBSP padding, full-width digits, the odd label cut
         short, headings with or without '#';
  heavy: additionally labels cut to 3-6 characters, visually close CJK
         confusions in labels, digit confusions in amounts (0/O, 1/l, 5/S, 8/B),
         rows shifted sideways by 1-3 cells, a cell split in two, a label and
         its value merged into one cell, level-1 cells dropped, values cut short
         at a cell width (the gold keeps the cut value: nothing is invented).

Every noise operation has a stable name (see OPERATORS below) and each gold
line records the operators actually applied to its form:

  "meta": {"operators": [...], "level": "light"|"heavy", "split": "tune"|"test",
           "rendering": "tsv"}

The bookkeeping draws no random numbers: the .md files are the same bytes as
before it was added. docs/synthetic-corpus.md describes every operator.

Base forms are split in two halves: `tune` (the six sample forms and half the
invented ones) and `test` (the other invented forms, never tuned on). Output:

  corpus/<split>/<level>/<split>-<level>-NNN.md   (4 forms per file)
  corpus/<split>/<level>/gold.jsonl               (seed-expected shape)
  corpus/base-forms.jsonl                         (the clean labelled forms)

Deterministic: the same seed gives the same bytes.
"""
import argparse
import json
import os
import random
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FIELD_KEYS = [
    "title", "category", "declaring_unit", "declared_on", "amount_unit", "project_name",
    "budget_unit_name", "budget_unit_code", "implementer", "project_type", "project_term",
    "basis", "midterm_total", "midterm_fiscal", "midterm_other", "annual_total",
    "annual_fiscal", "annual_other", "prior_years_budget", "sources_total",
    "sources_general_budget", "sources_gov_fund", "sources_state_capital",
    "sources_social_insurance", "sources_other", "goal_midterm", "goal_annual",
    "signer_unit_leader", "signer_department_head", "signer_handler",
]
SOURCE_KEYS = ["sources_general_budget", "sources_gov_fund", "sources_state_capital",
               "sources_social_insurance", "sources_other"]
SOURCE_LABELS = ["1. 一般公共预算收入", "2. 政府性基金预算收入", "3. 国有资本经营预算收入",
                 "4. 社会保险基金收入", "5. 其他收入"]
BASIS = ["法律法规", "市委市政府决定", "上级文件要求", "市委市政府领导指示", "其他"]
HIERARCHY = [
    ("产出指标", ["数量指标", "质量指标", "时效指标"]),
    ("成本指标", ["成本指标"]),
    ("效益指标", ["经济效益", "社会效益", "生态效益", "可持续影响"]),
    ("满意度指标", ["服务对象满意度"]),
]

# ---------------------------------------------------------------- invention
CITIES = ["巴中市", "达州市", "广元市", "南充市", "遂宁市", "绵阳市"]
UNITS = ["市教育局", "市卫生健康委员会", "市交通运输局", "市农业农村局", "市文化广电旅游局",
         "市自然资源和规划局", "市生态环境局", "市民政局", "市司法局", "市住房和城乡建设局",
         "市审计局", "市统计局", "市应急管理局", "市医疗保障局", "市市场监督管理局",
         "市水利局", "市林业局", "市商务局", "市档案馆", "市图书馆"]
TOPICS = ["安全生产检查", "乡村教师培训", "农村公路养护", "动物疫病防控", "非遗保护传承",
          "不动产登记", "大气污染防治", "困难群众救助", "法律援助", "老旧小区改造",
          "重点项目审计", "经济普查", "森林防火", "医保基金监管", "食品安全抽检",
          "河长制巡河", "古树名木保护", "电商进农村", "档案数字化", "全民阅读推广",
          "校园安全整治", "基层医疗能力提升"]
KINDS = ["专项经费", "工作经费", "补助资金", "项目经费", "建设资金"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文斌晓宇浩"
CATEGORIES = ["事业发展类", "民生保障类", "基本建设类", "专项业务类"]
GOALS = ["完成年度工作任务，保障项目顺利实施", "提升服务质量和群众满意度",
         "按期完成各项检查，确保不发生重大事故", "完善工作机制，提高资金使用效益",
         "覆盖全市所有乡镇，惠及群众10万人次", "建立长效管理机制，实现规范化运行",
         "全面完成培训任务，参训人员合格率达95%以上"]
IND_POOL = {
    "数量指标": [("培训人次", "≥500人次"), ("检查企业数", "120家"), ("养护里程", "350公里"),
               ("发放补助人数", "2300人"), ("抽检批次", "800批次"), ("巡查次数", "每月不少于4次")],
    "质量指标": [("验收合格率", "100%"), ("问题整改率", "≥95%"), ("资料完整率", "达100%"),
               ("数据准确率", "≥98%")],
    "时效指标": [("完成时间", "2020年12月底前"), ("资金拨付及时率", "100%"), ("办结时限", "15个工作日内")],
    "成本指标": [("项目成本", "控制在预算内"), ("人均培训成本", "≤800元"), ("单位养护成本", "1.2万元/公里")],
    "经济效益": [("带动产值", "≥200万元"), ("节约资金", "50万元")],
    "社会效益": [("群众知晓率", "≥90%"), ("受益人口", "10万人"), ("社会稳定", "无重大群体性事件")],
    "生态效益": [("空气质量优良天数比例", "≥85%"), ("森林覆盖率", "提高0.5个百分点")],
    "可持续影响": [("长效机制", "持续发挥作用"), ("制度建设", "形成常态化工作机制")],
    "服务对象满意度": [("群众满意度", "≥95%"), ("办事群众满意度", "≥90%"), ("参训人员满意度", "达98%")],
}


def person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def money(rng, lo, hi, decimals):
    """An amount in cents: whole, one or two decimals."""
    v = rng.randint(lo, hi) * 100
    if decimals == 1:
        v += rng.randint(1, 9) * 10
    elif decimals == 2:
        v += rng.randint(1, 99)
    return v


def num(cents):
    if cents is None:
        return None
    if cents % 100 == 0:
        return cents // 100
    return round(cents / 100, 2)


def split_cents(rng, total, parts):
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    out, prev = [], 0
    for c in cuts + [total]:
        out.append(c - prev)
        prev = c
    return out


def invent(rng, i):
    unit = UNITS[i % len(UNITS)]
    topic = TOPICS[(i * 7) % len(TOPICS)]
    city = rng.choice(CITIES)
    f = {k: None for k in FIELD_KEYS}
    f["title"] = city + "市级部门预算项目支出绩效目标表"
    f["category"] = rng.choice(CATEGORIES) if rng.random() < 0.6 else None
    f["declaring_unit"] = city + unit[1:] if rng.random() < 0.5 else unit
    if rng.random() < 0.7:
        f["declared_on"] = "%04d-%02d-%02d" % (rng.choice([2019, 2020, 2021]), rng.randint(1, 12),
                                                rng.randint(1, 28))
    f["amount_unit"] = "万元"
    f["project_name"] = topic + rng.choice(KINDS)
    f["budget_unit_name"] = unit.replace("市", "", 1) + rng.choice(["机关", "本级", ""]) or unit
    f["budget_unit_code"] = "%d%02d%03d" % (rng.randint(1, 3), rng.randint(1, 40), rng.randint(1, 20))
    f["implementer"] = f["budget_unit_name"] + person(rng)
    f["project_type"] = rng.choice(["新增项目", "延续项目"])
    f["project_term"] = rng.choice(["一次性", "经常性"])
    f["basis"] = [b for b in BASIS if rng.random() < 0.4] or [rng.choice(BASIS)]
    decimals = rng.choice([0, 0, 1, 2])
    fiscal = money(rng, 2, 400, decimals)
    other = money(rng, 1, 60, decimals) if rng.random() < 0.35 else None
    total = fiscal + (other or 0)
    f["annual_total"], f["annual_fiscal"], f["annual_other"] = num(total), num(fiscal), num(other)
    has_mid = rng.random() < 0.35
    if has_mid:
        mf = fiscal * rng.randint(2, 4)
        mo = (other or 0) * 3 if other else None
        f["midterm_total"], f["midterm_fiscal"], f["midterm_other"] = num(mf + (mo or 0)), num(mf), num(mo)
        f["goal_midterm"] = rng.choice(GOALS) + "，三年内" + rng.choice(["全面完成", "基本建成", "稳步推进"])
    if f["project_type"] == "延续项目" and rng.random() < 0.7:
        f["prior_years_budget"] = num(money(rng, 1, 300, decimals))
    nsrc = rng.choice([1, 1, 2, 2, 3])
    keys = sorted(rng.sample(SOURCE_KEYS, nsrc), key=SOURCE_KEYS.index)
    if total < 2 * nsrc:
        keys = keys[:1]
    for k, c in zip(keys, split_cents(rng, total, len(keys))):
        f[k] = num(c)
    f["sources_total"] = num(total)
    f["goal_annual"] = rng.choice(GOALS)
    f["signer_unit_leader"], f["signer_department_head"], f["signer_handler"] = (
        person(rng), person(rng), person(rng))
    inds = []
    horizons = ["midterm", "annual"] if has_mid else ["annual"]
    for h in horizons:
        for l1, l2s in HIERARCHY:
            for l2 in l2s:
                if rng.random() < 0.45:
                    for l3, v in rng.sample(IND_POOL[l2], rng.choice([1, 1, 2])):
                        inds.append({"horizon": h, "level1": l1, "level2": l2, "level3": l3, "value": v})
    if not any(x["horizon"] == "annual" for x in inds):
        inds.append({"horizon": "annual", "level1": "满意度指标", "level2": "服务对象满意度",
                     "level3": "群众满意度", "value": "≥95%"})
    return {"fields": f, "indicators": inds}


# ---------------------------------------------------------------- rendering
CHECKBOXES = [
    ('<input checked="" type="checkbox"/>', '<input type="checkbox"/>'),
    ("☑", "☐"), ("■", "□"), ("[x]", "[ ]"), ("√", "□"), ("[√]", "[ ]"),
]


def fmt_amount(v, st):
    if v is None:
        return ""
    s = str(v)
    return s


def date_text(iso, rng, ops=None):
    y, m, d = (int(x) for x in iso.split("-"))
    text = rng.choice(["%d年%d月%d日" % (y, m, d), "%d年%02d月%02d日" % (y, m, d),
                       "%d-%02d-%02d" % (y, m, d), "%d.%d.%d" % (y, m, d)])
    if text != "%d年%d月%d日" % (y, m, d):
        note(ops, "date_format")
    return text


class Cell:
    """One table cell: its text and role, with a hook into the gold."""

    def __init__(self, text="", role="empty", gold=None, label=None):
        self.text, self.role, self.gold, self.label = text or "", role, gold, label


def boxes(options, ticked, style, sep=" "):
    on, off = style
    return sep.join(("%s %s" % (on if o in ticked else off, o)) for o in options)


def render(form, rng, level, ops=None):
    """Returns (lines: list of str | list of Cell, gold) for one form.

    `ops`, when given, is a list that receives the name of every rendering
    variant used (see OPERATORS); it draws no random numbers."""
    f = dict(form["fields"])
    inds = [dict(x) for x in form["indicators"]]
    style = rng.choice(CHECKBOXES) if level == "heavy" or rng.random() < 0.7 else CHECKBOXES[0]
    if style != CHECKBOXES[0]:
        note(ops, "checkbox_style")
    nb = "\u00a0" if rng.random() < 0.5 else " "
    if nb != " ":
        note(ops, "nbsp_padding")  # every amount cell is padded with `nb`
    out = []
    head = rng.choice(["# ", "## ", ""])
    if head != "# ":
        note(ops, "heading_style")
    out.append(head + f["title"])
    if f["category"]:
        cat = rng.choice(["（%s）", "(%s)"])
        if cat != "（%s）":
            note(ops, "category_halfwidth")
        out.append(cat % f["category"])
    colon = rng.choice(["：", ": "])
    if colon != "：":
        note(ops, "halfwidth_colon")
    du = rng.choice(["单位（盖章）", "申报单位（盖章）", "申报单位(盖章)"])
    if du != "单位（盖章）":
        note(ops, "unit_label_variant")
    if f["declared_on"] and rng.random() < 0.5:
        note(ops, "unit_date_one_line")
        out.append("%s%s%s%s申报时间%s%s" % (du, colon, f["declaring_unit"], nb * 5, colon,
                                         date_text(f["declared_on"], rng, ops)))
    else:
        out.append(du + colon + f["declaring_unit"])
        if f["declared_on"]:
            out.append("申报时间" + colon + date_text(f["declared_on"], rng, ops))
    out.append("单位" + colon + f["amount_unit"])
    L = lambda t: Cell(t, "label", label=t)  # noqa: E731
    V = lambda t, g: Cell(t, "value", gold=g)  # noqa: E731
    E = Cell
    out.append([L("项目名称"), E(), V(f["project_name"], ("f", "project_name")), E(), E(), E(), E(), E()])
    out.append([L("预算单位及代码"), E(), Cell(f["budget_unit_name"] + f["budget_unit_code"], "code"), E(),
                L("实施单位及责任人"), E(), V(f["implementer"], ("f", "implementer")), E()])
    out.append([L("项目属性"), E(), Cell(boxes(["新增项目", "延续项目"], [f["project_type"]], style), "box"), E(),
                L("项目期限"), E(), Cell(boxes(["一次性", "经常性"], [f["project_term"]], style), "box"), E()])
    out.append([L("立项依据"), E(), Cell(boxes(BASIS[:3], f["basis"], style), "box"), E(), E(),
                Cell(boxes(BASIS[3:], f["basis"], style), "box"), E(), E()])

    def amt(label, v):
        pad = nb * rng.choice([1, 2, 4])
        return Cell("%s%s%s%s%s万元" % (label, colon if label.endswith("额") else " ", pad,
                                      fmt_amount(v, style), pad if v is not None else ""), "num")
    out.append([L("项目资金（万元）"), E(), amt("中期资金总额", f["midterm_total"]), E(), E(),
                amt("年度资金总额", f["annual_total"]), E(), E()])
    out.append([E(), E(), amt("其中：财政拨款", f["midterm_fiscal"]), E(), E(),
                amt("其中：财政拨款", f["annual_fiscal"]), E(), E()])
    out.append([E(), E(), amt("其他资金", f["midterm_other"]), E(), E(),
                amt("其他资金", f["annual_other"]), E(), E()])
    pyb = "" if f["prior_years_budget"] is None else str(f["prior_years_budget"])
    out.append([E(), E(), Cell("其中：延续项目", "scaffold"), E(), E(),
                Cell("以前年度预算安排%s%s" % (colon, pyb), "num"), E(), E()])
    out.append([L("项目资金来源"), L("合计")] + [L(s) for s in SOURCE_LABELS] + [E()])
    out.append([E(), Cell(fmt_amount(f["sources_total"], style), "num")]
               + [Cell(fmt_amount(f[k], style), "num") for k in SOURCE_KEYS] + [E()])
    out.append([L("总体目标"), L("中长期目标（20**年—20**年）"), E(), E(), E(), L("年度目标"), E(), E()])
    out.append([E(), V(f["goal_midterm"] or "", ("f", "goal_midterm")), E(), E(), E(),
                V(f["goal_annual"] or "", ("f", "goal_annual")), E(), E()])
    out.append([L("绩效指标"), L("一级指标"), L("二级指标"), L("三级指标"), L("指标值（含数字及文字描述）"),
                L("二级指标"), L("三级指标"), L("指标值（含数字及文字描述）")])
    for l1, l2s in HIERARCHY:
        for j, l2 in enumerate(l2s):
            mids = [(n, x) for n, x in enumerate(inds) if x["horizon"] == "midterm" and x["level2"] == l2]
            anns = [(n, x) for n, x in enumerate(inds) if x["horizon"] == "annual" and x["level2"] == l2]
            for r in range(max(1, len(mids), len(anns))):
                row = [E() for _ in range(8)]
                if r == 0:
                    if j == 0:
                        row[1] = Cell(l1, "l1", label=l1)
                    row[2] = Cell(l2, "l2", label=l2)
                    row[5] = Cell(l2, "l2", label=l2)
                for half, col in ((mids, 3), (anns, 6)):
                    if r < len(half):
                        n, x = half[r]
                        name = x["level3"]
                        if name and rng.random() < 0.25:
                            name = "%d%s%s" % (r + 1, rng.choice([". ", "、", "."]), name)
                            note(ops, "list_numbering")
                        row[col] = Cell(name, "l3", gold=("i", n, "level3"))
                        row[col + 1] = Cell(x["value"], "ival", gold=("i", n, "value"))
                out.append(row)
    out.append(None)  # blank line
    out.append("单位领导签字" + colon + f["signer_unit_leader"])
    out.append("科室负责人签字" + colon + f["signer_department_head"])
    out.append("经办人签字" + colon + f["signer_handler"])
    return out, {"fields": f, "indicators": inds}


# ---------------------------------------------------------------- noise
# Stable operator names, in the order a gold line's meta.operators lists them.
# The first group varies the rendering (applied at both levels); the second
# damages text (light: fullwidth_digits and the odd label_truncated /
# label_confused; heavy: all of them). docs/synthetic-corpus.md has the details.
OPERATORS = [
    # rendering variants
    ("heading_style", "title heading with '## ' or no '#' instead of '# '"),
    ("category_halfwidth", "category line in half-width brackets (事业发展类)"),
    ("halfwidth_colon", "label colons printed ': ' instead of '：'"),
    ("unit_label_variant", "申报单位（盖章） / 申报单位(盖章) instead of 单位（盖章）"),
    ("unit_date_one_line", "declaring unit and 申报时间 on one line, 5 pads apart"),
    ("date_format", "申报时间 printed 2019年03月05日 / 2019-03-05 / 2019.3.5, not 2019年3月5日"),
    ("checkbox_style", "checkbox marks other than <input type=checkbox/> (☑☐ ■□ [x][ ] √□ [√][ ])"),
    ("nbsp_padding", "amount cells (and the one-line unit/date gap) padded with NBSP"),
    ("list_numbering", "a level-3 indicator name printed with a list number (1. / 2、 / 1.)"),
    ("trailing_tabs", "a table row ends in 1-2 extra tabs"),
    ("page_footer", "a '第 N 页' line between the previous form and this one"),
    # damage
    ("fullwidth_digits", "a number (amount, source or unit code) in full-width digits"),
    ("label_truncated", "a label cut to 3-6 characters (预算单位及代)"),
    ("label_confused", "one character of a label or level-1/2 name swapped for a look-alike (项→顶)"),
    ("digit_confused", "one digit of an amount read as a letter (0→O 1→l 5→S 8→B)"),
    ("level1_dropped", "a level-1 cell (产出指标 …) left empty"),
    ("value_cut", "a text value cut short at a cell width (gold keeps the cut text)"),
    ("cell_split", "a value split over two adjacent cells"),
    ("label_value_merged", "项目名称 / 实施单位及责任人 and its value in one cell"),
    ("row_shifted", "a row moved 1-3 cells left or right"),
]
OPERATOR_NAMES = [name for name, _ in OPERATORS]


def note(ops, name):
    """Records that operator `name` was applied (no-op when ops is None)."""
    assert name in OPERATOR_NAMES, name
    if ops is not None and name not in ops:
        ops.append(name)


def ordered(ops):
    return sorted(ops, key=OPERATOR_NAMES.index)

CONFUSIONS = {"项": "顶", "指": "拍", "额": "頟", "目": "日", "称": "祢", "算": "箅", "人": "入",
              "字": "宇", "益": "盆", "资": "赀", "金": "全", "限": "垠", "签": "笠", "属": "屑",
              "效": "郊", "期": "朗", "据": "椐", "标": "栎", "度": "庋", "计": "汁"}
# Rows whose labels sit left of their values: they may shift sideways. Rows
# read by column (sources, goals) keep their alignment with the row above.
RIGHT_LABELS = {"项目名称", "预算单位及代码", "项目属性", "立项依据"}
DIGITS = {"0": "O", "1": "l", "5": "S", "8": "B"}
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
FULLWIDTH["."] = "．"


def confuse_label(text, rng):
    idx = [i for i, c in enumerate(text) if c in CONFUSIONS]
    if not idx or len([c for c in text if '\u4e00' <= c <= '\u9fff']) < 4:
        return text
    i = rng.choice(idx)
    return text[:i] + CONFUSIONS[text[i]] + text[i + 1:]


def cut_label(text, rng):
    core = re.sub(r"[（(].*$", "", text)
    if len(core) <= 3:
        return text
    keep = rng.randint(3, min(6, len(core) - 1)) if len(core) > 3 else len(core)
    # Keep a leading list number (1. 一般公共…) in front of what is kept.
    m = re.match(r"^\d+\.\s*", core)
    if m:
        body = core[m.end():]
        keep = max(3, min(keep, len(body) - 1))
        return m.group(0) + body[:keep]
    return core[:keep]


def digit_noise(text, rng, p_conf, p_full, ops=None):
    def repl(m):
        s = m.group(0)
        if rng.random() < p_full:
            note(ops, "fullwidth_digits")
            return "".join(FULLWIDTH.get(c, c) for c in s)
        digits = [i for i, c in enumerate(s) if c in DIGITS]
        if len([c for c in s if c.isdigit()]) >= 2 and digits and rng.random() < p_conf:
            i = rng.choice(digits)
            note(ops, "digit_confused")
            return s[:i] + DIGITS[s[i]] + s[i + 1:]
        return s
    return re.sub(r"\d+(?:\.\d+)?", repl, text)


def noisy(lines, gold, rng, level, ops=None):
    heavy = level == "heavy"
    p = {
        "cut": 0.4 if heavy else 0.05,
        "confuse": 0.3 if heavy else 0.02,
        "digit": 0.5 if heavy else 0.0,
        "full": 0.2 if heavy else 0.08,
        "shift": 0.2 if heavy else 0.0,
        "split": 0.2 if heavy else 0.0,
        "merge": 0.15 if heavy else 0.0,
        "drop_l1": 0.4 if heavy else 0.0,
        "valcut": 0.25 if heavy else 0.0,
    }
    out = []
    for ln in lines:
        if not isinstance(ln, list):
            out.append(ln)
            continue
        row = ln
        for c in row:
            l1_confused = False  # noted below, unless the level-1 cell is then dropped
            if c.role == "label" and c.text and not c.text.startswith("绩效") and c.label not in (
                    "一级指标", "二级指标", "三级指标"):
                if rng.random() < p["cut"]:
                    before, c.text = c.text, cut_label(c.text, rng)
                    if c.text != before:
                        note(ops, "label_truncated")
                if rng.random() < p["confuse"]:
                    before, c.text = c.text, confuse_label(c.text, rng)
                    if c.text != before:
                        note(ops, "label_confused")
            elif c.role in ("l1", "l2") and rng.random() < p["confuse"] / 2:
                before, c.text = c.text, confuse_label(c.text, rng)
                if c.text != before and c.role == "l1":
                    l1_confused = True
                elif c.text != before:
                    note(ops, "label_confused")
            elif c.role == "num" and c.text:
                c.text = digit_noise(c.text, rng, p["digit"], p["full"], ops)
            elif c.role == "code" and rng.random() < p["full"]:
                c.text = "".join(FULLWIDTH.get(ch, ch) for ch in c.text)
                note(ops, "fullwidth_digits")
            if c.role == "l1" and rng.random() < p["drop_l1"]:
                c.text, c.role = "", "empty"
                note(ops, "level1_dropped")
            elif l1_confused:
                note(ops, "label_confused")
            if c.role in ("value", "ival") and c.gold and len(c.text) > 10 and rng.random() < p["valcut"]:
                c.text = c.text[:rng.randint(6, len(c.text) - 2)]
                set_gold(gold, c.gold, c.text)
                note(ops, "value_cut")
        # A long value split over two cells (the next one must be empty).
        split = False
        for i, c in enumerate(row[:-1]):
            if c.role in ("value", "ival") and len(c.text) >= 6 and row[i + 1].role == "empty" \
                    and rng.random() < p["split"]:
                k = rng.randint(2, len(c.text) - 2)
                row[i + 1] = Cell(c.text[k:], "value")
                c.text = c.text[:k]
                split = True
                note(ops, "cell_split")
                break
        # A label and its value merged into one cell.
        for i, c in enumerate(row[:-2]):
            if not split and c.role == "label" and c.text in ("项目名称", "实施单位及责任人") \
                    and rng.random() < p["merge"]:
                j = next((j for j in range(i + 1, len(row)) if row[j].text), None)
                if j is not None:
                    c.text = c.text + " " + row[j].text
                    c.role = "merged"
                    row[j] = Cell()
                    note(ops, "label_value_merged")
                break
        cells = [c.text for c in row]
        shiftable = any(c.role in ("l2", "l3") for c in row) or any(
            c.role == "num" and re.search(r"[\u4e00-\u9fff]", c.text) for c in row) or (
            row[0].label in RIGHT_LABELS)
        if rng.random() < p["shift"] and shiftable:
            k = rng.randint(1, 3)
            if rng.random() < 0.5:
                cells = [""] * k + cells
                note(ops, "row_shifted")
            else:
                lead = next((i for i, t in enumerate(cells) if t), 0)
                if min(k, lead):  # a row with its first cell filled cannot move left
                    note(ops, "row_shifted")
                cells = cells[min(k, lead):]
        while cells and not cells[-1]:
            cells.pop()
        tail = rng.choice([0, 1, 2])
        if tail:
            note(ops, "trailing_tabs")
        out.append("\t".join(cells) + "\t" * tail)
    return out, gold


def set_gold(gold, ref, text):
    if ref[0] == "f":
        gold["fields"][ref[1]] = text
    else:
        x = gold["indicators"][ref[1]]
        if ref[2] == "level3":
            x["level3"] = re.sub(r"^\s*\d+\s*[.、．]\s*", "", text)
        else:
            x["value"] = text


# ---------------------------------------------------------------- main
def seed_forms():
    forms = []
    with open(os.path.join(ROOT, "tests/data/seed-expected.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                forms.append({"fields": r["fields"], "indicators": r["indicators"]})
    return forms


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--out", default=os.path.join(ROOT, "corpus"))
    ap.add_argument("--invented", type=int, default=34)
    ap.add_argument("--variants", type=int, default=4, help="renderings per base form and level")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    seeds = seed_forms()
    invented = [invent(rng, i) for i in range(args.invented)]
    half = len(invented) // 2
    splits = {"tune": seeds + invented[:half], "test": invented[half:]}
    if os.path.isdir(args.out):
        for s in ("tune", "test"):
            shutil.rmtree(os.path.join(args.out, s), ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "base-forms.jsonl"), "w", encoding="utf-8") as fh:
        for split, forms in splits.items():
            for n, form in enumerate(forms):
                fh.write(json.dumps({"split": split, "base": n, **form}, ensure_ascii=False) + "\n")
    counts = {}
    for split, forms in splits.items():
        for level in ("light", "heavy"):
            d = os.path.join(args.out, split, level)
            os.makedirs(d)
            jobs = [(b, v) for v in range(args.variants) for b in range(len(forms))]
            golds = []
            per_file = 4
            for fi in range(0, len(jobs), per_file):
                name = "%s-%s-%03d.md" % (split, level, fi // per_file)
                text = []
                for idx, (b, v) in enumerate(jobs[fi:fi + per_file]):
                    ops = []
                    lines, gold = render(forms[b], rng, level, ops)
                    lines, gold = noisy(lines, gold, rng, level, ops)
                    if idx and rng.random() < 0.3:
                        text.append("第 %d 页" % (fi // per_file + idx))
                        note(ops, "page_footer")
                    text.extend("" if ln is None else ln for ln in lines)
                    text.append("")
                    golds.append({"source": {"path": "corpus/%s/%s/%s" % (split, level, name),
                                             "form_index": idx},
                                  "base": b, **gold,
                                  "meta": {"operators": ordered(ops), "level": level,
                                           "split": split, "rendering": "tsv"}})
                with open(os.path.join(d, name), "w", encoding="utf-8") as fh:
                    fh.write("\n".join(text))
            with open(os.path.join(d, "gold.jsonl"), "w", encoding="utf-8") as fh:
                for g in golds:
                    fh.write(json.dumps(g, ensure_ascii=False) + "\n")
            counts["%s/%s" % (split, level)] = len(golds)
    total = sum(counts.values())
    print("corpus: %d forms (%s) in %s" % (total, ", ".join("%s %d" % kv for kv in counts.items()),
                                           os.path.relpath(args.out, os.getcwd())))


if __name__ == "__main__":
    main()
