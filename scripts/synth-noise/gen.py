#!/usr/bin/env python3
"""Second, independent synthetic-noise corpus for the perf-target template.

usage: python3 scripts/synth-noise/gen.py [--seed N] [--per-base N] [--out corpus/synth2]

Written from scratch (it shares no noise code with scripts/gen_corpus.py) so that
formsift is measured on damage it was not tuned against. It reads only the
`test` split of corpus/base-forms.jsonl (17 invented forms; the six seed forms
of the real sample are tune-split forms and are never used), builds each form
as an 8-column table with the real merged cells of the printed form, damages
it (OCR-like: look-alike characters anywhere in a label, checkbox marks as OCR
prints them, symbols drifting, codes split by a space, header cells merged,
lines fused, characters dropped or doubled, values cut, ...) and renders it as
one of four renderings:

  tsv   tab-flattened rows (merged cells = runs of empty cells)
  html  markdown with an inline <table> (colspan/rowspan), MinerU style
  pipe  GFM pipe table
  text  space-aligned text, one visual line per line, wrapped cells continue
        on the next line in the same column

Output (3 forms per file, one rendering per file):

  corpus/synth2/<level>/synth2-<level>-<rendering>-NNN.{md,txt}
  corpus/synth2/<level>/gold.jsonl

A gold line has the shape of corpus/test/*/gold.jsonl plus
  "meta": {"operators": [...], "level": ..., "rendering": ..., "split": "test",
           "generator": "synth-noise"}
Gold is what was printed before damage, except where the damage destroys what a
reader could recover (value_cut, symbol_drift in a value, a tick mark that reads
like an empty box, a lost tick with no box left beside it): then gold is what a
careful reader can still see. docs/synthetic-corpus.md lists every operator.

Standard library only. Deterministic: every form draws from its own
random.Random seeded with (seed, level, base, variant), so the same arguments
give the same bytes.
"""
import argparse
import copy
import html
import json
import os
import random
import re
import shutil
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RENDERINGS = ["tsv", "html", "pipe", "text"]
EXT = {"tsv": "md", "html": "md", "pipe": "md", "text": "txt"}
FORMS_PER_FILE = 3

BASIS = ["法律法规", "市委市政府决定", "上级文件要求", "市委市政府领导指示", "其他"]
SOURCES = [("sources_general_budget", "1", "一般公共预算收入"),
           ("sources_gov_fund", "2", "政府性基金预算收入"),
           ("sources_state_capital", "3", "国有资本经营预算收入"),
           ("sources_social_insurance", "4", "社会保险基金收入"),
           ("sources_other", "5", "其他收入")]
LEVELS = [("产出指标", ["数量指标", "质量指标", "时效指标"]),
          ("成本指标", ["成本指标"]),
          ("效益指标", ["经济效益", "社会效益", "生态效益", "可持续影响"]),
          ("满意度指标", ["服务对象满意度"])]
LEVEL1_OF = {l2: l1 for l1, l2s in LEVELS for l2 in l2s}

# ------------------------------------------------------------------ operators
# (name, group, description). meta.operators lists names in this order.
OPERATORS = [
    # content: how the base form is filled in (gold follows the printed text)
    ("goal_numbered", "content", "a goal printed as a numbered list: 1. …；2. …"),
    ("extra_indicator", "content", "1-2 indicators added from a pool with digit-leading names "
                                   "(65岁以上…) and ‰ — ； （） in values"),
    # layout: printing choices, nothing lost
    ("heading_style", "layout", "title as '## ', bare, or centred (text) instead of '# '"),
    ("category_halfwidth", "layout", "category in half-width brackets"),
    ("halfwidth_colon", "layout", "label colons ':' instead of '：'"),
    ("unit_label_variant", "layout", "申报单位（盖章） instead of 单位（盖章）"),
    ("header_one_line", "layout", "单位（盖章）/申报时间/单位 on one line"),
    ("date_format", "layout", "申报时间 not printed as 2019年3月10日"),
    ("checkbox_style", "layout", "marks ☑☐ / ■□ / √□ / ☑□ instead of <input type=checkbox>"),
    ("nbsp_padding", "layout", "amount cells padded with NBSP runs"),
    ("amount_decimals", "layout", "amounts printed with two decimals (83.90)"),
    ("list_numbering", "layout", "a level-3 name printed with a list number (1. / 2、)"),
    ("html_table_one_line", "layout", "the whole <table> on one line"),
    # damage, any rendering
    ("label_char_confused", "damage", "one label character read as a look-alike, any position (目→日, 拨→拔)"),
    ("label_char_substituted", "damage", "one label character read as an unrelated character"),
    ("label_char_dropped", "damage", "one label character lost"),
    ("label_char_doubled", "damage", "one label character read twice"),
    ("label_truncated", "damage", "a cell label cut at the cell edge (预算单位及, 可持续影)"),
    ("box_read_as_kou", "damage", "empty box ☐/□ read as 口"),
    ("tick_read_as_hui", "damage", "ticked ☑ read as 回"),
    ("tick_dropped", "damage", "ticked ☑ mark lost (the option text stays)"),
    ("tick_read_as_kou", "damage", "ticked ☑ read as 口, like an empty box (lossy)"),
    ("mark_space_dropped", "damage", "no space between a mark and its option (口延续项目)"),
    ("symbol_drift", "damage", "≥→>, ≤→<, ‰→%, —→一, ；→： (lossy in values)"),
    ("punct_width_drift", "damage", "（→(, ）→), ：→:, ，→, (same under NFKC)"),
    ("fullwidth_digits", "damage", "a number in full-width digits"),
    ("digit_confused", "damage", "an amount digit read as a letter (0→O, 1→l, 5→S, 8→B, 6→b, 2→Z)"),
    ("code_space_split", "damage", "unit code split by a space (103 001)"),
    ("number_fused", "damage", "list number fused with a digit-leading name (2.65岁以上)"),
    ("header_cells_merged", "damage", "two adjacent header cells read as one (一级指标二级指标)"),
    ("label_value_merged", "damage", "a label and its value cell read as one cell (项目名称老旧…)"),
    ("signatures_one_line", "damage", "two or three signature label/value pairs on one line"),
    ("value_cut", "damage", "a text value cut short (lossy: gold keeps the cut text)"),
    ("page_footer", "damage", "a page footer line after the form (第1页共1页)"),
    ("stray_line", "damage", "a stray OCR line before the title or after the signatures"),
    # damage, one rendering
    ("cell_wrapped", "text", "a cell's text wrapped onto the next visual line(s), same column"),
    ("cells_vcentered", "text", "cells vertically centred in their row span (rowspan labels mid-span)"),
    ("ideographic_space", "text", "some column gaps contain U+3000"),
    ("html_br_in_cell", "html", "a long cell broken by <br>"),
    ("html_entities", "html", "&nbsp; / &#65288; entities in cells"),
    ("html_inline_tags", "html", "<b>/<span> around cell text"),
    ("pipe_ragged_rows", "pipe", "rows with their trailing empty cells missing"),
]
NAMES = [n for n, _, _ in OPERATORS]

P = {
    "light": dict(goal_numbered=0.3, extra_indicator=0.5, html_one_line=0.5, header_one_line=0.3,
                  list_numbering=0.2, amount_decimals=0.15, nbsp=0.4, unicode_boxes=0.6,
                  confused=0.015, substituted=0.003, dropped=0.003, doubled=0.002, truncated=0.02,
                  ocr_boxes=0.5, box_kou=0.9, tick={"keep": 0.6, "hui": 0.25, "drop": 0.15, "kou": 0.0},
                  mark_space=0.3, symbol=0.1, punct=0.05, fullwidth=0.05, digit=0.0, code_split=0.15,
                  fused=0.3, header_merge=0.05, lv_merge=0.0, sig_line=0.3, sig_tight=0.0, value_cut=0.0,
                  footer=0.3, stray=0.15, wrap_cap=[None, None, 24, 30], vcenter=0.15, ideo=0.2,
                  br=0.2, entities=0.3, tags=0.2, ragged=0.3),
    "heavy": dict(goal_numbered=0.3, extra_indicator=0.6, html_one_line=0.5, header_one_line=0.5,
                  list_numbering=0.3, amount_decimals=0.15, nbsp=0.5, unicode_boxes=0.85,
                  confused=0.12, substituted=0.03, dropped=0.03, doubled=0.02, truncated=0.12,
                  ocr_boxes=0.9, box_kou=0.95, tick={"keep": 0.25, "hui": 0.3, "drop": 0.3, "kou": 0.15},
                  mark_space=0.6, symbol=0.35, punct=0.4, fullwidth=0.15, digit=0.12, code_split=0.4,
                  fused=0.7, header_merge=0.35, lv_merge=0.15, sig_line=0.6, sig_tight=0.4, value_cut=0.08,
                  footer=0.5, stray=0.3, wrap_cap=[10, 12, 14, 16], vcenter=0.6, ideo=0.3,
                  br=0.5, entities=0.5, tags=0.4, ragged=0.6),
}

# Visually close pairs (both directions unless the look-alike is a rare form).
LOOKALIKE_PAIRS = ["目日", "己已", "未末", "人入", "土士", "拨拔", "其具", "社杜", "项顶", "间问",
                   "市巿", "签答", "含合", "描搞", "续绩", "位住", "责贵", "延廷", "律津", "申甲",
                   "体休", "源原", "级圾", "值植", "收牧", "要耍", "响晌", "持特", "基墓", "金全",
                   "财材", "施旋", "性姓", "章童", "字宇", "领颌", "期朗", "效郊", "标栎", "指拍",
                   "务各", "态志", "划刬", "经绖", "办力", "度席", "益盖", "计汁", "新亲", "常帘"]
ONE_WAY = {"额": "頟", "资": "赀", "算": "箅", "满": "瞒", "数": "敖", "总": "忌"}
LOOKALIKE = {}
for a, b in LOOKALIKE_PAIRS:
    LOOKALIKE.setdefault(a, []).append(b)
    LOOKALIKE.setdefault(b, []).append(a)
for a, b in ONE_WAY.items():
    LOOKALIKE.setdefault(a, []).append(b)
# Any-character substitutions draw from common characters.
COMMON = ("的一是在不了有和这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
          "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
          "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内")

EXTRA_POOL = [  # (level2, level3, value)
    ("社会效益", "65岁以上老年人健康管理率", "≥70%"),
    ("社会效益", "0-6岁儿童眼保健覆盖率", "≥90%"),
    ("数量指标", "12345热线工单办结量", "≥3000件"),
    ("数量指标", "3岁以下婴幼儿照护托位", "新增200个"),
    ("质量指标", "安全事故发生率", "≤1‰"),
    ("质量指标", "数据差错率", "<0.5‰"),
    ("时效指标", "项目实施周期", "2020年1月—12月"),
    ("时效指标", "建设工期", "2020年3月—2020年11月"),
    ("成本指标", "资金使用（含配套资金）", "专款专用；按进度拨付"),
    ("可持续影响", "设施运行维护（年限）", "≥3年"),
    ("服务对象满意度", "60岁以上受益群众满意度", "≥90%"),
]
STRAY = ["附件2", "·", "（盖章）", "财政部门审核意见：", "巴中市财政局制", "—", "注：本表一式两份"]
LOSSY_SYMBOLS = {"≥": ">", "≤": "<", "‰": "%", "—": "一", "；": "："}
WIDTH_SYMBOLS = {"（": "(", "）": ")", "：": ":", "，": ","}
DIGIT_LETTERS = {"0": "O", "1": "l", "5": "S", "8": "B", "6": "b", "2": "Z"}
BOX_STYLES = [("input", '<input checked="" type="checkbox"/>', '<input type="checkbox"/>'),
              ("ballot", "☑", "☐"), ("square", "■", "□"), ("check", "√", "□"),
              ("ballot_square", "☑", "□")]
TICK_MARKS = {"☑", "√", "■", "回", "[x]", '<input checked="" type="checkbox"/>'}
BOX_MARKS = {"☐", "□", "口", "[ ]", '<input type="checkbox"/>'}


def is_cjk(ch):
    return "\u4e00" <= ch <= "\u9fff"


def dwidth(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def fmt_num(v, decimals):
    if v is None:
        return ""
    if decimals:
        return "%.2f" % v
    return str(v)


# ------------------------------------------------------------------ model
class Seg:
    """A run of printed text. kind: text (fixed punctuation/spaces), label,
    option, l1, l2 (damageable label-like text), value (free text with a gold
    ref), num (an amount), code (unit code), mark (checkbox), enum (list
    number), name (person/unit names, never damaged), title."""

    def __init__(self, text, kind="text", ref=None, opt=None, ticked=None, group=None,
                 cuttable=False):
        self.text, self.kind, self.ref = text, kind, ref
        self.opt, self.ticked, self.group, self.cuttable = opt, ticked, group, cuttable
        self.lossy = False


class Cell:
    def __init__(self, segs, col, cs=1, rs=1, role="", header=False):
        self.segs, self.col, self.cs, self.rs, self.role, self.header = segs, col, cs, rs, role, header

    def text(self):
        return "".join(s.text for s in self.segs)


def E(col, cs=1, rs=1):
    return Cell([], col, cs, rs, "empty")


def lab(text, col, cs=1, rs=1, header=False, cuttable=True):
    return Cell([Seg(text, "label", cuttable=cuttable)], col, cs, rs, "label", header)


class Form:
    def __init__(self):
        self.pre, self.rows, self.post = [], [], []   # pre/post: lists of Seg lists
        self.ops = []

    def note(self, name):
        assert name in NAMES, name
        if name not in self.ops:
            self.ops.append(name)

    def all_segs(self):
        for line in self.pre + self.post:
            yield from line
        for row in self.rows:
            for c in row:
                yield from c.segs


# ------------------------------------------------------------------ content
def fill(base, rng, p, form):
    """The printed form's content and the gold: a copy of the base form, with
    the content variants applied."""
    f = copy.deepcopy(base["fields"])
    inds = copy.deepcopy(base["indicators"])
    for key in ("goal_annual", "goal_midterm"):
        g = f[key]
        if g and "，" in g and rng.random() < p["goal_numbered"]:
            sep = rng.choice([". ", "、", "."])
            f[key] = "；".join("%d%s%s" % (i + 1, sep, part) for i, part in enumerate(g.split("，")))
            form.note("goal_numbered")
    if rng.random() < p["extra_indicator"]:
        horizons = ["annual"] + (["midterm"] if any(x["horizon"] == "midterm" for x in inds) else [])
        for l2, l3, v in rng.sample(EXTRA_POOL, rng.choice([1, 1, 2])):
            inds.append({"horizon": rng.choice(horizons), "level1": LEVEL1_OF[l2], "level2": l2,
                         "level3": l3, "value": v})
        form.note("extra_indicator")
    return {"fields": f, "indicators": inds}


# ------------------------------------------------------------------ build
def date_print(iso, rng, form):
    y, m, d = (int(x) for x in iso.split("-"))
    s = rng.choice(["%d年%d月%d日", "%d年%d月%d日", "%d年%02d月%02d日", "%d-%02d-%02d", "%d.%d.%d",
                    "%d/%d/%d"]) % (y, m, d)
    if s != "%d年%d月%d日" % (y, m, d):
        form.note("date_format")
    return s


def build(gold, rng, p, rendering, form):
    f, inds = gold["fields"], gold["indicators"]
    colon = "：" if rng.random() < 0.7 else rng.choice([":", ": "])
    if colon != "：":
        form.note("halfwidth_colon")
    # Title, category, header block.
    if rendering == "text":
        head = rng.choice(["", " " * rng.randint(10, 40)])
        if head:
            form.note("heading_style")
    else:
        head = rng.choice(["# ", "# ", "## ", ""])
        if head != "# ":
            form.note("heading_style")
    form.pre.append([Seg(head), Seg(f["title"], "title")])
    if f["category"]:
        br = ("（", "）") if rng.random() < 0.7 else ("(", ")")
        if br[0] == "(":
            form.note("category_halfwidth")
        form.pre.append([Seg(br[0]), Seg(f["category"], "name"), Seg(br[1])])
    du = rng.choice(["单位（盖章）", "申报单位（盖章）"])
    if du != "单位（盖章）":
        form.note("unit_label_variant")
    block = [[Seg(du, "label"), Seg(colon), Seg(f["declaring_unit"], "name")]]
    if f["declared_on"]:
        block.append([Seg("申报时间", "label"), Seg(colon), Seg(date_print(f["declared_on"], rng, form))])
    block.append([Seg("单位", "label"), Seg(colon), Seg(f["amount_unit"], "name")])
    if rng.random() < p["header_one_line"]:
        form.note("header_one_line")
        line = []
        for i, b in enumerate(block):
            if i:
                line.append(Seg(" " * rng.randint(4, 20)))
            line.extend(b)
        form.pre.append(line)
    else:
        form.pre.extend(block)

    # Checkbox marks: printed style for the form.
    if rendering == "text" or rng.random() < p["unicode_boxes"]:
        style = rng.choice(BOX_STYLES[1:])
        form.note("checkbox_style")
    else:
        style = BOX_STYLES[0]
    form.style = style

    def boxes(options, ticked, group):
        segs = []
        for i, o in enumerate(options):
            if i:
                segs.append(Seg(" "))
            segs.append(Seg(style[1] if o in ticked else style[2], "mark", opt=o, ticked=o in ticked,
                            group=group))
            segs.append(Seg(" "))
            segs.append(Seg(o, "option"))
        return segs

    decimals = rng.random() < p["amount_decimals"] and any(
        isinstance(f[k], float) for k in ("annual_total", "annual_fiscal"))
    if decimals:
        form.note("amount_decimals")
    nbsp = rendering != "text" and rng.random() < p["nbsp"]
    if nbsp:
        form.note("nbsp_padding")

    def pad():
        if rendering == "text":
            return rng.choice(["", " "])
        return ("\u00a0" if nbsp else " ") * rng.choice([1, 1, 2, 4])

    def amount(label, key, col):
        v = f[key]
        segs = [Seg(label, "label")]
        segs.append(Seg(colon if label.endswith("额") else " "))
        if v is None:
            segs.append(Seg(pad()))
        else:
            segs += [Seg(pad()), Seg(fmt_num(v, decimals), "num", ref=("f", key)), Seg(pad())]
        segs.append(Seg("万元"))
        return Cell(segs, col, 3, 1, "amount")

    R = form.rows
    R.append([lab("项目名称", 0, 2, header=True),
              Cell([Seg(f["project_name"], "value", ref=("f", "project_name"))], 2, 6, 1, "value")])
    R.append([lab("预算单位及代码", 0, 2),
              Cell([Seg(f["budget_unit_name"], "name"),
                    Seg(f["budget_unit_code"], "code", ref=("f", "budget_unit_code"))], 2, 2, 1, "value"),
              lab("实施单位及责任人", 4, 2),
              Cell([Seg(f["implementer"], "value", ref=("f", "implementer"))], 6, 2, 1, "value")])
    R.append([lab("项目属性", 0, 2),
              Cell(boxes(["新增项目", "延续项目"], [f["project_type"]], "project_type"), 2, 2, 1, "box"),
              lab("项目期限", 4, 2),
              Cell(boxes(["一次性", "经常性"], [f["project_term"]], "project_term"), 6, 2, 1, "box")])
    R.append([lab("立项依据", 0, 2),
              Cell(boxes(BASIS[:3], f["basis"], "basis"), 2, 3, 1, "box"),
              Cell(boxes(BASIS[3:], f["basis"], "basis"), 5, 3, 1, "box")])
    R.append([lab("项目资金（万元）", 0, 2, 4), amount("中期资金总额", "midterm_total", 2),
              amount("年度资金总额", "annual_total", 5)])
    R.append([amount("其中：财政拨款", "midterm_fiscal", 2), amount("其中：财政拨款", "annual_fiscal", 5)])
    R.append([amount("其他资金", "midterm_other", 2), amount("其他资金", "annual_other", 5)])
    py = f["prior_years_budget"]
    R.append([Cell([Seg("其中：延续项目", "label")], 2, 3, 1, "scaffold"),
              Cell([Seg("以前年度预算安排", "label"), Seg(colon)]
                   + ([Seg(fmt_num(py, decimals), "num", ref=("f", "prior_years_budget"))] if py is not None
                      else []), 5, 3, 1, "amount")])
    hdr = [lab("项目资金来源", 0, 1, 2), lab("合计", 1, header=True)]
    vals = [E(1)]
    vals[0] = Cell([Seg(fmt_num(f["sources_total"], decimals), "num", ref=("f", "sources_total"))]
                   if f["sources_total"] is not None else [], 1, 1, 1, "num")
    for i, (key, n, name) in enumerate(SOURCES):
        cs = 2 if i == 4 else 1
        hdr.append(Cell([Seg(n + rng.choice([". ", ".", "."])), Seg(name, "label", cuttable=True)],
                        2 + i, cs, 1, "label", True))
        vals.append(Cell([Seg(fmt_num(f[key], decimals), "num", ref=("f", key))] if f[key] is not None
                         else [], 2 + i, cs, 1, "num"))
    R.append(hdr)
    R.append(vals)
    R.append([lab("总体目标", 0, 1, 2), lab("中长期目标（20**年—20**年）", 1, 4, header=True),
              lab("年度目标", 5, 3, header=True)])
    R.append([Cell([Seg(f["goal_midterm"], "value", ref=("f", "goal_midterm"))] if f["goal_midterm"] else [],
                   1, 4, 1, "value"),
              Cell([Seg(f["goal_annual"], "value", ref=("f", "goal_annual"))] if f["goal_annual"] else [],
                   5, 3, 1, "value")])
    # Indicators.
    body = []
    for l1, l2s in LEVELS:
        first_of_l1 = len(body)
        for l2 in l2s:
            mids = [(n, x) for n, x in enumerate(inds) if x["horizon"] == "midterm" and x["level2"] == l2]
            anns = [(n, x) for n, x in enumerate(inds) if x["horizon"] == "annual" and x["level2"] == l2]
            nrows = max(1, len(mids), len(anns))
            for r in range(nrows):
                row = []
                if r == 0:
                    row.append(Cell([Seg(l2, "l2", cuttable=True)], 2, 1, nrows, "l2"))
                    row.append(Cell([Seg(l2, "l2", cuttable=True)], 5, 1, nrows, "l2"))
                for half, col in ((mids, 3), (anns, 6)):
                    if r < len(half):
                        n, x = half[r]
                        segs = []
                        l3 = x["level3"]
                        digit_lead = bool(l3 and l3[0].isdigit())
                        if l3 and rng.random() < (0.8 if digit_lead else p["list_numbering"]):
                            form.note("list_numbering")
                            sep = rng.choice([". ", ". ", ". ", "、"]) if digit_lead else rng.choice([". ", "、", "."])
                            segs.append(Seg("%d%s" % (r + 1, sep), "enum"))
                        if l3:
                            segs.append(Seg(l3, "value", ref=("i", n, "level3")))
                        row.append(Cell(segs, col, 1, 1, "l3"))
                        row.append(Cell([Seg(x["value"], "value", ref=("i", n, "value"))] if x["value"] else [],
                                        col + 1, 1, 1, "ival"))
                    else:
                        row += [E(col), E(col + 1)]
                body.append(row)
        body[first_of_l1].append(Cell([Seg(l1, "l1", cuttable=True)], 1, 1, len(body) - first_of_l1, "l1"))
    R.append([lab("绩效指标", 0, 1, 1 + len(body)), lab("一级指标", 1, header=True),
              lab("二级指标", 2, header=True), lab("三级指标", 3, header=True),
              lab("指标值（含数字及文字描述）", 4, header=True), lab("二级指标", 5, header=True),
              lab("三级指标", 6, header=True), lab("指标值（含数字及文字描述）", 7, header=True)])
    R.extend(body)
    for row in R:
        row.sort(key=lambda c: c.col)
    for lbl, key in (("单位领导签字", "signer_unit_leader"), ("科室负责人签字", "signer_department_head"),
                     ("经办人签字", "signer_handler")):
        form.post.append([Seg(lbl, "label"), Seg(colon), Seg(f[key], "name")])


# ------------------------------------------------------------------ damage
def damage_label(seg, rng, p, form):
    """Character-level OCR damage on a label-like segment."""
    def cjk_positions(t):
        return [i for i, c in enumerate(t) if is_cjk(c)]
    t = seg.text
    if len(cjk_positions(t)) < 2:
        return
    if seg.cuttable and rng.random() < p["truncated"]:
        pos = cjk_positions(t)
        if len(pos) >= 4:
            keep = rng.randint(2, len(pos) - 1)
            t = t[:pos[keep - 1] + 1]
            form.note("label_truncated")
    if rng.random() < p["confused"]:
        pos = [i for i, c in enumerate(t) if c in LOOKALIKE]
        if pos:
            i = rng.choice(pos)
            t = t[:i] + rng.choice(LOOKALIKE[t[i]]) + t[i + 1:]
            form.note("label_char_confused")
    if rng.random() < p["substituted"]:
        pos = cjk_positions(t)
        i = rng.choice(pos)
        c = rng.choice([c for c in COMMON if c != t[i]])
        t = t[:i] + c + t[i + 1:]
        form.note("label_char_substituted")
    if rng.random() < p["dropped"]:
        pos = cjk_positions(t)
        if len(pos) >= 3:
            i = rng.choice(pos)
            t = t[:i] + t[i + 1:]
            form.note("label_char_dropped")
    if rng.random() < p["doubled"]:
        i = rng.choice(cjk_positions(t))
        t = t[:i + 1] + t[i] + t[i + 1:]
        form.note("label_char_doubled")
    seg.text = t


def drift_symbols(seg, rng, p, form):
    out = []
    for c in seg.text:
        if c in LOSSY_SYMBOLS and rng.random() < p["symbol"]:
            out.append(LOSSY_SYMBOLS[c])
            form.note("symbol_drift")
            if seg.kind == "value":
                seg.lossy = True
        elif c in WIDTH_SYMBOLS and rng.random() < p["punct"]:
            out.append(WIDTH_SYMBOLS[c])
            form.note("punct_width_drift")
        else:
            out.append(c)
    seg.text = "".join(out)


def to_fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() or c == "." else c for c in s)


def damage(form, gold, rng, p, rendering):
    # Checkbox marks as OCR prints them.
    style = form.style
    if style[0] != "input" and rng.random() < p["ocr_boxes"]:
        kinds, weights = zip(*p["tick"].items())
        for s in form.all_segs():
            if s.kind != "mark":
                continue
            if not s.ticked:
                if s.text in ("☐", "□") and rng.random() < p["box_kou"]:
                    s.text = "口"
                    form.note("box_read_as_kou")
            elif s.text == "☑":
                k = rng.choices(kinds, weights)[0]
                if k == "hui":
                    s.text = "回"
                    form.note("tick_read_as_hui")
                elif k == "drop":
                    s.text = ""
                    form.note("tick_dropped")
                elif k == "kou":
                    s.text = "口"
                    form.note("tick_read_as_kou")
            # √ and ■ are read as printed.
    if rng.random() < p["mark_space"]:
        for row in form.rows:
            for c in row:
                if c.role == "box":
                    c.segs = [s for i, s in enumerate(c.segs)
                              if not (s.kind == "text" and s.text == " " and i and c.segs[i - 1].kind == "mark")]
        form.note("mark_space_dropped")
    # A lost mark leaves its space behind: drop it too (no double spaces in a cell).
    for row in form.rows:
        for c in row:
            if c.role == "box":
                c.segs = [s for i, s in enumerate(c.segs)
                          if not (s.kind == "text" and s.text == " " and i and c.segs[i - 1].kind == "mark"
                                  and c.segs[i - 1].text == "")]
    # Labels, options, level names.
    for s in form.all_segs():
        if s.kind in ("label", "option", "l1", "l2"):
            damage_label(s, rng, p, form)
    # Symbols and numbers.
    for s in form.all_segs():
        if s.kind in ("value", "label", "text") and s.text:
            drift_symbols(s, rng, p, form)
        if s.kind == "num" and s.text:
            if rng.random() < p["fullwidth"]:
                s.text = to_fullwidth(s.text)
                form.note("fullwidth_digits")
            elif rng.random() < p["digit"] and sum(c.isdigit() for c in s.text) >= 2:
                pos = [i for i, c in enumerate(s.text) if c in DIGIT_LETTERS]
                if pos:
                    i = rng.choice(pos)
                    s.text = s.text[:i] + DIGIT_LETTERS[s.text[i]] + s.text[i + 1:]
                    form.note("digit_confused")
        elif s.kind == "value" and s.ref and s.ref[0] == "i" and re.search(r"\d", s.text) \
                and rng.random() < p["fullwidth"]:
            s.text = re.sub(r"\d+(?:\.\d+)?", lambda m: to_fullwidth(m.group(0)), s.text)
            form.note("fullwidth_digits")
        elif s.kind == "code":
            if rng.random() < p["code_split"]:
                k = rng.randint(2, len(s.text) - 2)
                s.text = s.text[:k] + " " + s.text[k:]
                form.note("code_space_split")
            if rng.random() < p["fullwidth"]:
                s.text = to_fullwidth(s.text)
                form.note("fullwidth_digits")
    # List numbers fused with a digit-leading name: "2. 65岁…" → "2.65岁…".
    for row in form.rows:
        for c in row:
            if c.role == "l3" and len(c.segs) == 2 and c.segs[0].kind == "enum" \
                    and c.segs[0].text.endswith(". ") and c.segs[1].text[:1].isdigit() \
                    and rng.random() < p["fused"]:
                c.segs[0].text = c.segs[0].text.rstrip()
                form.note("number_fused")
    # Values cut short (at most one per form).
    if rng.random() < p["value_cut"] * 4:
        cands = [s for row in form.rows for c in row for s in c.segs
                 if s.kind == "value" and s.ref and (s.ref[0] == "i" or s.ref[1] in (
                     "implementer", "goal_midterm", "goal_annual")) and len(s.text) >= 8]
        if cands:
            s = rng.choice(cands)
            s.text = s.text[:rng.randint(max(4, len(s.text) // 3), len(s.text) - 2)].rstrip()
            s.lossy = True
            form.note("value_cut")
    # Header cells merged with a neighbour.
    for row in form.rows:
        hs = [i for i in range(len(row) - 1) if row[i].header and row[i + 1].header
              and row[i].rs == row[i + 1].rs and row[i].col + row[i].cs == row[i + 1].col]
        if hs and rng.random() < p["header_merge"]:
            i = rng.choice(hs)
            a, b = row[i], row[i + 1]
            a.segs = a.segs + ([Seg(" ")] if rng.random() < 0.3 else []) + b.segs
            a.cs += b.cs
            del row[i + 1]
            form.note("header_cells_merged")
    # A label and its value cell read as one.
    for row in form.rows[:3]:
        if rng.random() < p["lv_merge"]:
            i = rng.choice([i for i in range(len(row) - 1) if row[i].role == "label"])
            a, b = row[i], row[i + 1]
            a.segs = a.segs + ([Seg(" ")] if rng.random() < 0.3 else []) + b.segs
            a.cs += b.cs
            a.role = "merged"
            del row[i + 1]
            form.note("label_value_merged")
    # Signatures on one line.
    if rng.random() < p["sig_line"]:
        k = rng.choice([2, 3])
        start = rng.choice([0, 3 - k])
        sep = " " * rng.randint(2, 12)
        if rendering != "text" and rng.random() < p["sig_tight"]:
            sep = rng.choice([" ", ""])   # a text rendering needs 2+ spaces between cells
        line = []
        for j in range(start, start + k):
            if line:
                line.append(Seg(sep))
            line.extend(form.post[j])
        form.post[start:start + k] = [line]
        form.note("signatures_one_line")
    # Stray lines and footers.
    if rng.random() < p["stray"]:
        s = [Seg(rng.choice(STRAY))]
        if rng.random() < 0.5:
            form.pre.insert(0, s)
        else:
            form.post.append(s)
        form.note("stray_line")
    if rng.random() < p["footer"]:
        form.post.append([Seg(rng.choice(["第1页共1页", "第 1 页 共 1 页", "- 1 -", "第1页"]))])
        form.note("page_footer")
    settle_gold(form, gold)


def settle_gold(form, gold):
    """Gold follows the damage only where a reader cannot recover the print."""
    for s in form.all_segs():
        if s.lossy and s.ref:
            text = re.sub(r"\s+", " ", s.text).strip()
            text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
            if s.ref[0] == "f":
                gold["fields"][s.ref[1]] = text
            else:
                gold["indicators"][s.ref[1]][s.ref[2]] = text
    # Checkboxes: an option reads as ticked when its mark reads as a tick, or
    # when the mark is gone but another option of the group shows an empty box.
    groups = {}
    for s in form.all_segs():
        if s.kind == "mark":
            cls = "tick" if s.text in TICK_MARKS else "box" if s.text in BOX_MARKS else "none"
            groups.setdefault(s.group, []).append((s.opt, cls))
    for g, marks in groups.items():
        has_box = any(c == "box" for _, c in marks)
        seen = [o for o, c in marks if c == "tick" or (c == "none" and has_box)]
        if g == "basis":
            gold["fields"]["basis"] = seen
        else:
            gold["fields"][g] = seen[0] if len(seen) == 1 else None


# ------------------------------------------------------------------ rendering
def line_text(segs):
    return "".join(s.text for s in segs)


def grid_flat(form):
    """Each table row as 8 cell texts: a merged cell followed by empty cells,
    rowspan continuation rows with empty cells."""
    out = []
    for row in form.rows:
        cells = [""] * 8
        for c in row:
            cells[c.col] = c.text()
        out.append(cells)
    return out


def render_tsv(form, rng, p):
    lines = [line_text(l) for l in form.pre]
    trim = rng.random() < 0.5
    for cells in grid_flat(form):
        if trim:
            while cells and not cells[-1]:
                cells.pop()
        lines.append("\t".join(cells))
    lines.append("")
    lines += [line_text(l) for l in form.post]
    return lines


def render_pipe(form, rng, p):
    lines = []
    for l in form.pre:
        lines += [line_text(l), ""]
    ragged = rng.random() < p["ragged"]
    for n, cells in enumerate(grid_flat(form)):
        if ragged and n and rng.random() < 0.5 and not cells[-1]:
            while len(cells) > 1 and not cells[-1]:
                cells.pop()
            form.note("pipe_ragged_rows")
        lines.append("| " + " | ".join(cells) + " |")
        if n == 0:
            lines.append("|" + "---|" * 8)
    lines.append("")
    for l in form.post:
        lines += [line_text(l), ""]
    return lines


def render_html(form, rng, p):
    entities = rng.random() < p["entities"]
    tags = rng.random() < p["tags"]
    br = rng.random() < p["br"]
    one_line = rng.random() < p["html_one_line"]
    if one_line:
        form.note("html_table_one_line")

    def cell_html(c):
        parts = []
        for s in c.segs:
            if s.kind == "mark":
                parts.append(s.text)
                continue
            t = html.escape(s.text, quote=False)
            if entities:
                t2 = t.replace("\u00a0", "&nbsp;").replace("（", "&#65288;").replace("）", "&#65289;")
                if t2 != t:
                    form.note("html_entities")
                t = t2
            parts.append(t)
        t = "".join(parts)
        plain = c.text()
        if br and c.role in ("value", "l3", "ival") and len(plain) >= 8 and "<" not in t \
                and "&" not in t and rng.random() < 0.4:
            k = rng.randint(3, len(t) - 3)
            t = t[:k] + "<br>" + t[k:]
            form.note("html_br_in_cell")
        if tags and t and c.role in ("label", "value") and rng.random() < 0.3:
            t = ("<b>%s</b>" if c.role == "label" else "<span>%s</span>") % t
            form.note("html_inline_tags")
        return t

    lines = []
    for l in form.pre:
        lines += [line_text(l), ""]
    th = rng.random() < 0.3
    trs = []
    for n, row in enumerate(form.rows):
        tds = []
        for c in row:
            tag = "th" if th and n == 0 else "td"
            attrs = (' colspan="%d"' % c.cs if c.cs > 1 else "") + (' rowspan="%d"' % c.rs if c.rs > 1 else "")
            tds.append("<%s%s>%s</%s>" % (tag, attrs, cell_html(c), tag))
        trs.append("<tr>" + "".join(tds) + "</tr>")
    if one_line:
        lines.append("<table>" + "".join(trs) + "</table>")
    else:
        lines += ['<table border="1">'] + trs + ["</table>"]
    lines.append("")
    for l in form.post:
        lines += [line_text(l), ""]
    return lines


def wrap(text, cap):
    """Greedy wrap at display width `cap`: CJK characters break anywhere, runs
    of ASCII letters/digits/punctuation stay whole, a space at a break goes."""
    if cap is None or dwidth(text) <= cap:
        return [text]
    tokens = re.findall(r"[0-9A-Za-z.%‰＋+\-/]+| |.", text)
    lines, cur = [], ""
    for t in tokens:
        if cur and dwidth(cur + t) > cap:
            lines.append(cur.rstrip())
            cur = "" if t == " " else t
        else:
            cur += t
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def render_text(form, rng, p):
    cap = rng.choice(p["wrap_cap"])
    gap = rng.choice([2, 2, 3, 4])
    vcenter = rng.random() < p["vcenter"]
    ideo = rng.random() < p["ideo"]
    margin = rng.choice([0, 0, 1, 2, 4])
    ncol = 8
    # Wrap every cell.
    placed = []   # (row, cell, lines)
    for r, row in enumerate(form.rows):
        for c in row:
            t = re.sub(r"[ \u00a0]{2,}", " ", c.text()).strip()
            ls = wrap(t, None if cap is None else cap * c.cs + gap * (c.cs - 1)) if t else []
            if len(ls) > 1:
                form.note("cell_wrapped")
            placed.append((r, c, ls))
    # Column widths.
    w = [0] * ncol
    for r, c, ls in sorted(placed, key=lambda x: x[1].cs):
        need = max((dwidth(x) for x in ls), default=0)
        have = sum(w[c.col:c.col + c.cs]) + gap * (c.cs - 1)
        if need > have:
            w[c.col + c.cs - 1] += need - have
    x0 = [margin]
    for i in range(ncol - 1):
        x0.append(x0[-1] + w[i] + gap)
    # Row heights.
    h = [1] * len(form.rows)
    for r, c, ls in placed:
        if c.rs == 1:
            h[r] = max(h[r], len(ls))
    for r, c, ls in placed:
        if c.rs > 1:
            have = sum(h[r:r + c.rs])
            if len(ls) > have:
                h[r + c.rs - 1] += len(ls) - have
    start = [0]
    for x in h:
        start.append(start[-1] + x)
    vis = [[] for _ in range(start[-1])]
    for r, c, ls in placed:
        span = sum(h[r:r + c.rs])
        off = 0
        if vcenter and len(ls) < span:
            off = (span - len(ls)) // 2
            if off:
                form.note("cells_vcentered")
        for k, t in enumerate(ls):
            vis[start[r] + off + k].append((x0[c.col], t))
    lines = []
    for l in form.pre:
        lines.append(line_text(l))
    for items in vis:
        if not items:
            continue
        s, col = "", 0
        for x, t in sorted(items):
            gapw = x - col
            if s and ideo and gapw >= 4 and rng.random() < 0.3:
                s += "\u3000" + " " * (gapw - 2)
                form.note("ideographic_space")
            else:
                s += " " * gapw
            s += t
            col = x + dwidth(t)
        lines.append(s.rstrip())
    lines += [line_text(l) for l in form.post]
    return lines


RENDER = {"tsv": render_tsv, "html": render_html, "pipe": render_pipe, "text": render_text}


# ------------------------------------------------------------------ main
def make_form(base, level, rendering, rng):
    p = P[level]
    form = Form()
    gold = fill(base, rng, p, form)
    build(gold, rng, p, rendering, form)
    damage(form, gold, rng, p, rendering)
    lines = RENDER[rendering](form, rng, p)
    return lines, gold, sorted(form.ops, key=NAMES.index)


def load_bases():
    path = os.path.join(ROOT, "corpus", "base-forms.jsonl")
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["split"] == "test":
                out.append(r)
    assert out and all(r["split"] == "test" for r in out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--per-base", type=int, default=9, help="forms per base form and level")
    ap.add_argument("--out", default=os.path.join(ROOT, "corpus", "synth2"))
    args = ap.parse_args()
    bases = load_bases()
    shutil.rmtree(args.out, ignore_errors=True)
    counts = {}
    for level in ("light", "heavy"):
        d = os.path.join(args.out, level)
        os.makedirs(d)
        jobs = {r: [] for r in RENDERINGS}
        for v in range(args.per_base):
            for b in bases:
                jobs[RENDERINGS[(b["base"] + v) % len(RENDERINGS)]].append((b, v))
        golds = []
        for rendering in RENDERINGS:
            for fi in range(0, len(jobs[rendering]), FORMS_PER_FILE):
                name = "synth2-%s-%s-%03d.%s" % (level, rendering, fi // FORMS_PER_FILE, EXT[rendering])
                text = []
                for idx, (b, v) in enumerate(jobs[rendering][fi:fi + FORMS_PER_FILE]):
                    rng = random.Random("synth2/%d/%s/%d/%d" % (args.seed, level, b["base"], v))
                    lines, gold, ops = make_form(b, level, rendering, rng)
                    if idx:
                        text += ["", ""]
                    text += lines
                    golds.append({"source": {"path": "corpus/synth2/%s/%s" % (level, name), "form_index": idx},
                                  "base": b["base"], "fields": gold["fields"], "indicators": gold["indicators"],
                                  "meta": {"operators": ops, "level": level, "rendering": rendering,
                                           "split": "test", "generator": "synth-noise"}})
                with open(os.path.join(d, name), "w", encoding="utf-8") as fh:
                    fh.write("\n".join(text).rstrip("\n") + "\n")
        with open(os.path.join(d, "gold.jsonl"), "w", encoding="utf-8") as fh:
            for g in golds:
                fh.write(json.dumps(g, ensure_ascii=False) + "\n")
        counts[level] = len(golds)
    print("synth2: %d forms (%s) in %s" % (sum(counts.values()), ", ".join("%s %d" % kv for kv in counts.items()),
                                           os.path.relpath(args.out, os.getcwd())))


if __name__ == "__main__":
    main()
