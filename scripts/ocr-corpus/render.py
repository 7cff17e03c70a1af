"""Print a base form as page images with headless Chromium.

A form becomes a table model (cells with explicit row/col/rowspan/colspan,
following the layout of samples/bazhong-2019-perf-targets.html), one HTML page
per printed page (A4 at 150 dpi: 1240 x 1754 px; a form that does not fit
continues its table on the next page, split at a row), a PNG screenshot per
page, and the page's true text boxes (every printed character's box, measured
in the browser) for the accuracy report.
"""
import hashlib
import html
import json
import os
import random
import re
import shutil
import subprocess
import tempfile

from forms import BASIS, HIERARCHY, SOURCE_KEYS

PAGE_W, PAGE_H = 1240, 1754
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_X = 90, 110, 100
FONTS = [("sans", "Noto Sans CJK SC"), ("serif", "Noto Serif CJK SC"), ("wqy", "WenQuanYi Zen Hei")]
CHECKBOX_STYLES = [("☑/☐", "☑", "☐"), ("√/□", "√", "□"), ("■/□", "■", "□")]
SOURCE_LABELS = ["1.一般公共预算收入", "2.政府性基金预算收入", "3.国有资本经营预算收入",
                 "4.社会保险基金收入", "5.其他收入"]
COL_W = [72, 96, 96, 150, 168, 96, 166, 196]  # 1040 px

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  "--force-device-scale-factor=1", "--run-all-compositor-stages-before-draw",
                  "--virtual-time-budget=4000"]


def chromium(args, timeout=120):
    with tempfile.TemporaryDirectory(prefix="ocr-corpus-chromium-") as ud:
        cmd = ["chromium"] + CHROMIUM_FLAGS + ["--user-data-dir=" + ud] + args
        return subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)


def date_text(iso, rng):
    y, m, d = (int(x) for x in iso.split("-"))
    return rng.choice(["%d年%d月%d日" % (y, m, d), "%d年%02d月%02d日" % (y, m, d),
                       "%d-%02d-%02d" % (y, m, d), "%d.%d.%d" % (y, m, d), "%d/%d/%d" % (y, m, d)])


def amount_text(v, two_dec):
    if v is None:
        return ""
    if two_dec and isinstance(v, float):
        return "%.2f" % v
    return str(v)


class Layout:
    """Everything a form's printing varies in, drawn from its own seed."""

    def __init__(self, form):
        b = form["base"]
        self.rng = random.Random(1000 + b)
        rng = self.rng
        self.font_tag, self.font = FONTS[b % 3]
        self.cb_name, self.on, self.off = CHECKBOX_STYLES[(b // 3) % 3]
        self.font_px = rng.choice([18, 19, 20])
        self.colon = rng.choice(["：", "：", ":"])
        self.paren = rng.choice([("（", "）"), ("（", "）"), ("(", ")")])
        self.meta_one_line = rng.random() < 0.5
        self.sign_one_line = rng.random() < 0.5
        self.footer = rng.random() < 0.4
        self.two_dec = rng.random() < 0.3
        self.merge_empty_mid = rng.random() < 0.5
        self.numbered = rng.random() < 0.3
        self.unit_label = rng.choice(["单位（盖章）", "申报单位（盖章）", "填报单位（盖章）"])


def build(form):
    """Returns (layout, head_lines_html, cells, tail_html).

    cells: list of dicts {r, c, rs, cs, html, cls}; the table has 8 columns."""
    L = Layout(form)
    rng = L.rng
    f = form["fields"]
    inds = form["indicators"]
    co = L.colon
    esc = html.escape
    head = ['<div class="title">%s</div>' % esc(f["title"])]
    if f["category"]:
        head.append('<div class="cat">%s%s%s</div>' % (L.paren[0], esc(f["category"]), L.paren[1]))
    unit = "%s%s%s" % (L.unit_label, co, esc(f["declaring_unit"]))
    date = ("申报时间%s%s" % (co, date_text(f["declared_on"], rng))) if f["declared_on"] else ""
    money_unit = "单位%s%s" % (co, esc(f["amount_unit"]))
    if L.meta_one_line:
        parts = [unit] + ([date] if date else []) + [money_unit]
        head.append('<div class="meta">%s</div>' % "".join("<span>%s</span>" % p for p in parts))
    else:
        head.append('<div class="line">%s</div>' % unit)
        if date:
            head.append('<div class="line">%s</div>' % date)
        head.append('<div class="line right">%s</div>' % money_unit)

    cells = []

    def cell(r, c, text, rs=1, cs=1, cls="", raw=False):
        cells.append({"r": r, "c": c, "rs": rs, "cs": cs, "html": text if raw else esc(text or ""), "cls": cls})

    def boxes(options, ticked):
        return " ".join('<span class="box">%s</span>%s' % (L.on if o in ticked else L.off, esc(o))
                        for o in options)

    r = 0
    cell(r, 0, "项目名称", cs=2); cell(r, 2, f["project_name"], cs=6, cls="v"); r += 1
    cell(r, 0, "预算单位及代码", cs=2); cell(r, 2, f["budget_unit_name"] + f["budget_unit_code"], cs=2, cls="v")
    cell(r, 4, "实施单位及责任人", cs=2); cell(r, 6, f["implementer"], cs=2, cls="v"); r += 1
    cell(r, 0, "项目属性", cs=2); cell(r, 2, boxes(["新增项目", "延续项目"], [f["project_type"]]), cs=2, raw=True)
    cell(r, 4, "项目期限", cs=2); cell(r, 6, boxes(["一次性", "经常性"], [f["project_term"]]), cs=2, raw=True)
    r += 1
    cell(r, 0, "立项依据", cs=2); cell(r, 2, boxes(BASIS[:3], f["basis"]), cs=3, cls="v", raw=True)
    cell(r, 5, boxes(BASIS[3:], f["basis"]), cs=3, cls="v", raw=True); r += 1
    pad = "&nbsp;" * rng.choice([2, 4, 6])

    def amt(label, v, sep=""):
        a = amount_text(v, L.two_dec)
        return "%s%s%s%s%s万元" % (esc(label), sep, pad, esc(a), pad if a else "&nbsp;" * 6)
    cell(r, 0, "项目资金%s万元%s" % L.paren, cs=2, rs=4)
    cell(r, 2, amt("中期资金总额", f["midterm_total"], co), cs=3, cls="v", raw=True)
    cell(r, 5, amt("年度资金总额", f["annual_total"], co), cs=3, cls="v", raw=True); r += 1
    cell(r, 2, amt("其中%s财政拨款" % co, f["midterm_fiscal"]), cs=3, cls="v", raw=True)
    cell(r, 5, amt("其中%s财政拨款" % co, f["annual_fiscal"]), cs=3, cls="v", raw=True); r += 1
    cell(r, 2, amt("其他资金", f["midterm_other"]), cs=3, cls="v", raw=True)
    cell(r, 5, amt("其他资金", f["annual_other"]), cs=3, cls="v", raw=True); r += 1
    cell(r, 2, "其中%s延续项目" % co, cs=3, cls="v")
    cell(r, 5, "以前年度预算安排%s%s" % (co, amount_text(f["prior_years_budget"], L.two_dec)), cs=3, cls="v")
    r += 1
    cell(r, 0, "项目资金来源", rs=2); cell(r, 1, "合计")
    for i, lab in enumerate(SOURCE_LABELS):
        cell(r, 2 + i, lab, cs=2 if i == 4 else 1)
    r += 1
    cell(r, 1, amount_text(f["sources_total"], L.two_dec))
    for i, k in enumerate(SOURCE_KEYS):
        cell(r, 2 + i, amount_text(f[k], L.two_dec), cs=2 if i == 4 else 1)
    r += 1
    cell(r, 0, "总体目标", rs=2); cell(r, 1, "中长期目标%s20**年—20**年%s" % L.paren, cs=4)
    cell(r, 5, "年度目标", cs=3); r += 1
    cell(r, 1, f["goal_midterm"] or "", cs=4, cls="v"); cell(r, 5, f["goal_annual"] or "", cs=3, cls="v")
    r += 1
    ind_top = r
    for c, lab in enumerate(["一级指标", "二级指标", "三级指标", "指标值%s含数字及文字描述%s" % L.paren,
                             "二级指标", "三级指标", "指标值%s含数字及文字描述%s" % L.paren], start=1):
        cell(r, c, lab)
    r += 1
    has_mid = any(x["horizon"] == "midterm" for x in inds)

    def name(k, x):
        n = x["level3"] or ""
        if n and L.numbered:
            n = "%d%s%s" % (k + 1, rng.choice([".", "、", ". "]), n)
        return n
    for l1, l2s in HIERARCHY:
        l1_top = r
        for l2 in l2s:
            mids = [x for x in inds if x["horizon"] == "midterm" and x["level2"] == l2]
            anns = [x for x in inds if x["horizon"] == "annual" and x["level2"] == l2]
            n = max(1, len(mids), len(anns))
            if not mids and (L.merge_empty_mid or not has_mid):
                cell(r, 2, l2, rs=n, cs=3)
            else:
                cell(r, 2, l2, rs=n)
                for k in range(n):
                    if k < len(mids):
                        cell(r + k, 3, name(k, mids[k]), cls="v")
                        cell(r + k, 4, mids[k]["value"], cls="v")
                    else:
                        cell(r + k, 3, ""); cell(r + k, 4, "")
            cell(r, 5, l2, rs=n)
            for k in range(n):
                if k < len(anns):
                    cell(r + k, 6, name(k, anns[k]), cls="v")
                    cell(r + k, 7, anns[k]["value"], cls="v")
                else:
                    cell(r + k, 6, ""); cell(r + k, 7, "")
            r += n
        cell(l1_top, 1, l1, rs=r - l1_top)
    cell(ind_top, 0, "绩效指标", rs=r - ind_top)
    f_ = f
    signs = [("单位领导签字", f_["signer_unit_leader"]), ("科室负责人签字", f_["signer_department_head"]),
             ("经办人签字", f_["signer_handler"])]
    if L.sign_one_line:
        tail = ['<div class="meta sign">%s</div>' % "".join(
            "<span>%s%s%s</span>" % (a, co, esc(b)) for a, b in signs)]
    else:
        tail = ['<div class="line sign">%s%s%s</div>' % (a, co, esc(b)) for a, b in signs]
    return L, head, cells, tail, r


CSS = """
html,body{margin:0;padding:0;background:#fff;}
body{width:%(W)dpx;font-family:'%(font)s';font-size:%(px)dpx;color:#000;}
.page{box-sizing:border-box;width:%(W)dpx;padding:%(mt)dpx %(mx)dpx 0 %(mx)dpx;position:relative;}
.fixed{height:%(H)dpx;overflow:hidden;}
.title{font-size:%(tpx)dpx;font-weight:bold;text-align:center;margin:0 0 12px 0;}
.cat{text-align:center;margin:0 0 10px 0;}
.line{margin:0 0 8px 0;}
.right{text-align:right;}
.meta{display:flex;justify-content:space-between;margin:0 0 10px 0;}
.sign{margin-top:16px;}
table{border-collapse:collapse;table-layout:fixed;width:%(tw)dpx;margin-top:6px;}
td{border:2px solid #000;padding:5px 6px;line-height:1.4;vertical-align:middle;text-align:center;
   overflow-wrap:anywhere;}
td.v{text-align:left;}
.box{font-family:'DejaVu Sans','%(font)s';padding-right:3px;}
.footer{position:absolute;left:0;width:%(W)dpx;top:%(fy)dpx;text-align:center;font-size:%(spx)dpx;}
#out{display:none;}
"""

MEASURE_JS = r"""
<script>
window.addEventListener('load', function(){
  var rows=[].map.call(document.querySelectorAll('table tr'),function(tr){var b=tr.getBoundingClientRect();return [b.top,b.bottom];});
  var boxes=[]; var w=document.createTreeWalker(document.body,NodeFilter.SHOW_TEXT); var n;
  while((n=w.nextNode())){
    var p=n.parentElement; if(p.closest('script')||p.closest('#out')) continue;
    var t=n.textContent; var cur=null;
    for(var i=0;i<t.length;i++){
      var ch=t[i]; if(/\s/.test(ch)){cur=null;continue;}
      var rg=document.createRange(); rg.setStart(n,i); rg.setEnd(n,i+1);
      var rs=rg.getClientRects(); if(!rs.length){cur=null;continue;}
      var b=rs[rs.length-1];
      var box=p.classList.contains('box');
      if(cur && !box && !cur.box && Math.abs(b.top-cur.y0)<3 && b.left>=cur.x1-2 && b.left-cur.x1<b.height*0.5){
        cur.t+=ch; cur.x1=b.right; cur.y1=Math.max(cur.y1,b.bottom);
      } else {
        cur={t:ch,x0:b.left,y0:b.top,x1:b.right,y1:b.bottom,box:box?(ch==p.dataset.on?'on':'off'):''}; boxes.push(cur);
      }
    }
  }
  var tables=[].map.call(document.querySelectorAll('table'),function(t){var b=t.getBoundingClientRect();return [b.left,b.top,b.right,b.bottom];});
  document.getElementById('out').textContent=JSON.stringify({rows:rows,boxes:boxes,tables:tables,
     height:document.querySelector('.page').scrollHeight,
     content:Math.max.apply(null,[0].concat([].map.call(document.querySelectorAll('.page > :not(.footer)'),function(e){return e.getBoundingClientRect().bottom;})))});
});
</script>
"""


def page_html(L, head, cells, tail, row_lo, row_hi, nrows, page_no, npages, fixed=True, last=True):
    """HTML of one page holding table rows [row_lo, row_hi) (head on page 0,
    tail on the last page). Rowspans cut by a page boundary are split: the
    part on this page keeps the cell's text only if the cell starts here."""
    css = CSS % {"W": PAGE_W, "H": PAGE_H, "font": L.font, "px": L.font_px, "tpx": L.font_px + 9,
                 "mt": MARGIN_TOP, "mx": MARGIN_X, "tw": sum(COL_W), "fy": PAGE_H - 70,
                 "spx": L.font_px - 2}
    by_row = {}
    for c in cells:
        top, bot = c["r"], c["r"] + c["rs"]
        if bot <= row_lo or top >= row_hi:
            continue
        start = max(top, row_lo)
        span = min(bot, row_hi) - start
        body = c["html"] if top >= row_lo else ""
        by_row.setdefault(start, []).append((c["c"], span, c["cs"], c["cls"], body))
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>%s</style></head><body>' % css,
           '<div class="page%s">' % (" fixed" if fixed else "")]
    if page_no == 0:
        out.extend(head)
    if row_hi > row_lo:
        out.append('<table><colgroup>%s</colgroup>' % "".join('<col style="width:%dpx">' % w for w in COL_W))
        for r in range(row_lo, row_hi):
            tds = []
            for c, rs, cs, cls, body in sorted(by_row.get(r, [])):
                attrs = ""
                if rs > 1:
                    attrs += ' rowspan="%d"' % rs
                if cs > 1:
                    attrs += ' colspan="%d"' % cs
                if cls:
                    attrs += ' class="%s"' % cls
                tds.append("<td%s>%s</td>" % (attrs, body))
            out.append("<tr>%s</tr>" % "".join(tds))
        out.append("</table>")
    if last:
        out.extend(tail)
    if L.footer and npages:
        out.append('<div class="footer">第 %d 页 共 %d 页</div>' % (page_no + 1, npages))
    out.append('</div><pre id="out"></pre>%s</body></html>' % MEASURE_JS)
    s = "\n".join(out)
    # checkbox spans carry which glyph means ticked, for the measurement script
    return s.replace('<span class="box">', '<span class="box" data-on="%s">' % L.on)


CACHE_DIR = None  # set by build.py: chromium results keyed by page HTML + flags + chromium version
_version = None


def _cache_path(kind, html_path, extra, ext):
    global _version
    if CACHE_DIR is None:
        return None
    if _version is None:
        _version = subprocess.run(["chromium", "--version"], capture_output=True).stdout.decode().strip()
    h = hashlib.sha256()
    with open(html_path, "rb") as fh:
        h.update(fh.read())
    h.update(json.dumps([kind, extra, CHROMIUM_FLAGS, _version]).encode())
    key = h.hexdigest()
    return os.path.join(CACHE_DIR, "chromium", key[:2], key + ext)


def measure(html_path, height):
    cp = _cache_path("measure", html_path, height, ".json")
    if cp and os.path.exists(cp):
        with open(cp, encoding="utf-8") as fh:
            return json.load(fh)
    res = chromium(["--dump-dom", "--window-size=%d,%d" % (PAGE_W, height), "file://" + html_path])
    dom = res.stdout.decode("utf-8")
    m = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    if not m or not m.group(1).strip():
        raise RuntimeError("measurement failed for %s" % html_path)
    out = json.loads(html.unescape(m.group(1)))
    if cp:
        os.makedirs(os.path.dirname(cp), exist_ok=True)
        with open(cp + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(out, fh)
        os.replace(cp + ".tmp", cp)
    return out


def screenshot(html_path, png_path):
    cp = _cache_path("screenshot", html_path, [PAGE_W, PAGE_H], ".png")
    if cp and os.path.exists(cp):
        shutil.copyfile(cp, png_path)
        return
    chromium(["--screenshot=" + png_path, "--window-size=%d,%d" % (PAGE_W, PAGE_H), "file://" + html_path])
    if cp:
        os.makedirs(os.path.dirname(cp), exist_ok=True)
        shutil.copyfile(png_path, cp + ".tmp")
        os.replace(cp + ".tmp", cp)


def render_form(form, outdir):
    """Render one base form to outdir/page-N.png (+ .html, .json). Returns meta."""
    L, head, cells, tail, nrows = build(form)
    os.makedirs(outdir, exist_ok=True)
    # 1. one tall page to measure row heights
    tall = os.path.join(outdir, "tall.html")
    with open(tall, "w", encoding="utf-8") as fh:
        fh.write(page_html(L, head, cells, tail, 0, nrows, nrows, 0, 0, fixed=False))
    m = measure(tall, 6000)
    rows = m["rows"]
    table_top = m["tables"][0][1]
    tail_h = m["content"] - rows[-1][1]
    limit = PAGE_H - MARGIN_BOTTOM
    # 2. split rows into pages greedily
    def plan():
        pages, lo, y0 = [], 0, rows[0][0]
        while lo < nrows:
            start_y = table_top if not pages else MARGIN_TOP + 8
            hi = lo
            while hi < nrows and start_y + (rows[hi][1] - rows[lo][0]) <= limit:
                hi += 1
            if hi == lo:
                hi = lo + 1  # a row taller than a page: print it anyway
            pages.append([lo, hi])
            lo = hi
        # the tail (signatures) goes after the last row if it fits, else on its own page
        lo, hi = pages[-1]
        start_y = table_top if len(pages) == 1 else MARGIN_TOP + 8
        if start_y + (rows[hi - 1][1] - rows[lo][0]) + tail_h > limit:
            pages.append([nrows, nrows])
        return pages
    pages = plan()
    # 3. render each page; if a page overflows (rowspan text needing more room), move its last row on
    for _ in range(20):
        ok = True
        metas = []
        for p, (lo, hi) in enumerate(pages):
            path = os.path.join(outdir, "page-%d.html" % p)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(page_html(L, head, cells, tail, lo, hi, nrows, p, len(pages), last=p == len(pages) - 1))
            mm = measure(path, PAGE_H)
            if os.environ.get("OCR_DEBUG"): print("page", p, lo, hi, mm["content"])
            if mm["content"] > PAGE_H - 80 and hi - lo > 1:
                ok = False
                pages[p][1] -= 1
                if p + 1 < len(pages):
                    pages[p + 1][0] -= 1
                else:
                    pages.append([hi - 1, hi if hi < nrows else nrows])
                break
            metas.append(mm)
        if ok:
            break
    result = {"pages": []}
    for p, (lo, hi) in enumerate(pages):
        path = os.path.join(outdir, "page-%d.html" % p)
        png = os.path.join(outdir, "page-%d.png" % p)
        screenshot(path, png)
        mm = metas[p]
        with open(os.path.join(outdir, "page-%d.json" % p), "w", encoding="utf-8") as fh:
            json.dump(mm, fh, ensure_ascii=False)
        result["pages"].append({"png": png, "rows": [lo, hi], "boxes": mm["boxes"]})
    result.update({"font": L.font_tag, "font_family": L.font, "checkbox_style": L.cb_name,
                   "font_px": L.font_px, "npages": len(pages)})
    return result
