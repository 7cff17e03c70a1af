"""Base forms for the OCR corpus: the invented forms of corpus/base-forms.jsonl
(lines 6-39; lines 0-5 are the seed sample and are never used) plus fresh forms
invented here from pools that differ from scripts/gen_corpus.py: other cities
and counties, other departments and projects, longer indicator names and values
(some wrap over 2-3 lines in their cell), 1-4 indicators per level-2 group,
mid-term half filled in some, decimal amounts, funding sources that add up.

Field keys and value conventions are those of corpus/base-forms.jsonl.
"""
import json
import os
import random

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
BASIS = ["法律法规", "市委市政府决定", "上级文件要求", "市委市政府领导指示", "其他"]
HIERARCHY = [
    ("产出指标", ["数量指标", "质量指标", "时效指标"]),
    ("成本指标", ["成本指标"]),
    ("效益指标", ["经济效益", "社会效益", "生态效益", "可持续影响"]),
    ("满意度指标", ["服务对象满意度"]),
]
LEVEL1_OF = {l2: l1 for l1, l2s in HIERARCHY for l2 in l2s}

# ---------------------------------------------------------------- fresh pools
# (scope, short prefix): a city's units are 市…, a county's 县…/区….
PLACES = [("赣州市", "市"), ("洛阳市", "市"), ("柳州市", "市"), ("宜宾市", "市"), ("泸州市", "市"),
          ("曲靖市", "市"), ("常德市", "市"), ("九江市", "市"), ("天水市", "市"), ("安康市", "市"),
          ("仪陇县", "县"), ("苍溪县", "县"), ("通江县", "县"), ("平昌县", "县"), ("恩阳区", "区"),
          ("兴文县", "县"), ("剑阁县", "县"), ("宣汉县", "县")]
DEPTS = ["发展和改革委员会", "经济和信息化局", "人力资源和社会保障局", "退役军人事务局", "乡村振兴局",
         "机关事务管理局", "科学技术局", "体育局", "民族宗教事务局", "信访局", "残疾人联合会",
         "妇女联合会", "气象局", "供销合作社联合社", "公共资源交易中心", "疾病预防控制中心",
         "融媒体中心", "大数据中心", "城市管理综合执法局", "粮食和物资储备局"]
PROJECTS = ["高标准农田建设", "城乡居民养老保险经办", "退役军人就业创业培训", "科技特派员服务",
            "全民健身设施维护", "少数民族地区教育帮扶", "信访积案化解", "残疾人康复救助",
            "妇女儿童权益保障宣传", "人工影响天气作业", "农资储备与调运", "公共资源交易平台运维",
            "重大传染病防控", "应急广播体系建设", "政务数据共享交换平台", "城市生活垃圾分类收运",
            "储备粮轮换", "中小企业数字化转型", "重点产业链招商引资", "就业见习补贴发放",
            "移民后期扶持", "公共法律服务体系建设", "地质灾害隐患点监测", "老年人助餐服务",
            "农村饮水安全巩固提升", "非物质文化遗产数字化采集"]
PROJ_KINDS = ["专项资金", "运行经费", "补助经费", "工作经费", "项目资金", "专项工作经费"]
SURNAMES = "冯蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛范彭郎鲁韦昌马苗凤花方俞任袁柳鲍史唐薛雷贺倪汤殷罗毕郝邬安常乐于"
GIVEN = "子轩梓涵浩然欣怡宇航雨桐俊杰思远晨曦嘉懿文博婉清志诚秋菊德明玉兰国栋春燕振华海燕"
CATEGORIES = ["事业发展类", "民生保障类", "基本建设类", "专项业务类", "社会事业类", "经济发展类"]
GOALS_LONG = [
    "通过项目实施，进一步完善基层服务网络，确保各项任务按时保质完成，资金使用规范、安全、高效",
    "围绕年度重点工作，完成平台升级改造和日常运行维护，系统全年可用率不低于99.5%，数据共享交换量较上年增长20%",
    "全年完成培训、宣传和督导任务，受益群众覆盖全部乡镇（街道），群众获得感和满意度明显提升",
    "按照上级文件要求，完成年度建设任务，工程质量验收合格，项目资金拨付率达到100%",
    "建立健全工作机制，强化监督检查，确保不发生系统性风险和重大安全责任事故",
    "保障机构正常运转，按时足额兑现各项补助，政策知晓率和兑现准确率均达到100%",
]
GOALS_MID = [
    "到期末建成覆盖城乡的服务体系，形成可复制可推广的经验做法",
    "三年内累计完成建设任务的100%，运行管理实现规范化、信息化、常态化",
    "分年度推进，逐步实现全域覆盖，服务对象满意度稳定在95%以上",
    "持续巩固提升，建立长效投入和管护机制，项目效益充分发挥",
]
# level-2 -> [(name, value)]; names and values of very different lengths.
IND_POOL = {
    "数量指标": [("组织开展业务培训场次", "≥12场"), ("覆盖乡镇（街道）个数", "全覆盖，共计38个乡镇（街道）"),
               ("新增建设高标准农田面积", "2.35万亩"), ("开展现场督导检查次数", "每季度不少于2次，全年不少于8次"),
               ("发放补贴人数", "1,856人"), ("采集数字化资源条目", "≥3000条，其中音视频资料不少于400小时"),
               ("维护健身路径及器材数量", "126套"), ("接待来访群众批次", "据实统计，预计不少于600批次"),
               ("设置监测点位数量", "47处")],
    "质量指标": [("项目验收合格率", "100%"), ("数据上报准确率和完整率", "均达到98%以上，无迟报、漏报、错报"),
               ("设施设备完好率", "≥95%"), ("培训考核合格率", "参训人员考核合格率不低于90%"),
               ("系统运行稳定性", "全年可用率≥99.5%，重大故障恢复时间不超过4小时"),
               ("问题整改销号率", "100%")],
    "时效指标": [("项目完成时限", "2022年11月30日前"), ("资金拨付及时性", "收到上级资金后15个工作日内拨付到位"),
               ("信访事项按期办结率", "≥95%"), ("补贴发放时间", "每季度首月10日前发放上季度补贴"),
               ("监测预警响应时间", "≤30分钟")],
    "成本指标": [("项目总成本", "控制在批复预算以内"), ("单场培训成本", "≤1.5万元"),
               ("每亩建设成本", "不超过1500元/亩（含设计、监理等费用）"), ("人均补助标准", "3000元/人·年"),
               ("运维费用占比", "不高于合同总价的8%")],
    "经济效益": [("带动相关产业增收", "≥500万元"), ("降低企业办事成本", "年均节约企业成本约120万元"),
               ("粮食综合生产能力提升", "亩均增产100斤以上")],
    "社会效益": [("政策知晓率", "≥90%"), ("受益人数", "惠及城乡群众约8.6万人，其中困难群体1.2万人"),
               ("群众办事便利度", "实现“最多跑一次”，线上办理率提高15个百分点"),
               ("社会稳定情况", "不发生因项目实施引发的群体性事件")],
    "生态效益": [("生活垃圾无害化处理率", "≥98%"), ("水土流失治理面积", "新增治理面积12平方公里"),
               ("节能减排", "年减少二氧化碳排放约300吨")],
    "可持续影响": [("长效管护机制建立情况", "建立县乡村三级管护制度并持续运行"),
                ("设施使用年限", "≥10年"), ("对后续工作的支撑作用", "为“十四五”后期相关规划编制提供数据支撑")],
    "服务对象满意度": [("服务对象满意度", "≥95%"), ("参训学员满意度", "≥90%"),
                   ("群众对项目实施效果的满意度", "通过第三方抽样调查，满意度不低于92%")],
}


def person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def num(cents):
    if cents is None:
        return None
    if cents % 100 == 0:
        return cents // 100
    return round(cents / 100, 2)


def money(rng, lo, hi, decimals):
    v = rng.randint(lo, hi) * 100
    if decimals == 1:
        v += rng.randint(1, 9) * 10
    elif decimals == 2:
        v += rng.randint(1, 99)
    return v


def split_cents(rng, total, parts):
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    out, prev = [], 0
    for c in cuts + [total]:
        out.append(c - prev)
        prev = c
    return out


def invent(rng, i):
    place, scope = PLACES[(i * 5) % len(PLACES)]
    dept = DEPTS[(i * 3) % len(DEPTS)]
    project = PROJECTS[i % len(PROJECTS)]
    f = {k: None for k in FIELD_KEYS}
    level = {"市": "市级", "县": "县级", "区": "区级"}[scope]
    f["title"] = place + level + "部门预算项目支出绩效目标表"
    f["category"] = rng.choice(CATEGORIES) if rng.random() < 0.55 else None
    unit = scope + dept
    f["declaring_unit"] = place + dept if rng.random() < 0.5 else unit
    if rng.random() < 0.75:
        f["declared_on"] = "%04d-%02d-%02d" % (rng.choice([2021, 2022, 2023, 2024]), rng.randint(1, 12),
                                                rng.randint(1, 28))
    f["amount_unit"] = "万元"
    f["project_name"] = project + rng.choice(PROJ_KINDS)
    f["budget_unit_name"] = place + dept if rng.random() < 0.3 else dept + rng.choice(["机关", "本级", ""])
    f["budget_unit_code"] = "%d%02d%03d" % (rng.randint(1, 9), rng.randint(1, 60), rng.randint(1, 40))
    if rng.random() < 0.5:
        f["implementer"] = dept + person(rng)
    else:
        f["implementer"] = dept + "（负责人：%s）" % person(rng)
    f["project_type"] = rng.choice(["新增项目", "延续项目"])
    f["project_term"] = rng.choice(["一次性", "经常性"])
    f["basis"] = [b for b in BASIS if rng.random() < 0.45] or [rng.choice(BASIS)]
    decimals = rng.choice([0, 1, 2, 2])
    fiscal = money(rng, 3, 900, decimals)
    other = money(rng, 1, 120, decimals) if rng.random() < 0.45 else None
    total = fiscal + (other or 0)
    f["annual_total"], f["annual_fiscal"], f["annual_other"] = num(total), num(fiscal), num(other)
    has_mid = rng.random() < 0.45
    if has_mid:
        mf = fiscal * rng.randint(2, 5) + rng.randint(0, 99)
        mo = (other or 0) * rng.randint(2, 4) if other else None
        f["midterm_total"], f["midterm_fiscal"], f["midterm_other"] = num(mf + (mo or 0)), num(mf), num(mo)
        f["goal_midterm"] = rng.choice(GOALS_MID)
    if f["project_type"] == "延续项目" and rng.random() < 0.75:
        f["prior_years_budget"] = num(money(rng, 1, 600, decimals))
    nsrc = rng.choice([1, 2, 2, 3, 4])
    keys = sorted(rng.sample(SOURCE_KEYS, nsrc), key=SOURCE_KEYS.index)
    if total < 2 * nsrc:
        keys = keys[:1]
    for k, c in zip(keys, split_cents(rng, total, len(keys))):
        f[k] = num(c)
    f["sources_total"] = num(total)
    f["goal_annual"] = rng.choice(GOALS_LONG)
    f["signer_unit_leader"], f["signer_department_head"], f["signer_handler"] = (
        person(rng), person(rng), person(rng))
    inds = []
    # Mid-term indicators: some forms fill the whole left half, some half of it.
    horizons = []
    if has_mid:
        horizons.append(("midterm", rng.choice([0.5, 0.8])))
    horizons.append(("annual", rng.choice([0.55, 0.7, 0.85])))
    for h, p in horizons:
        for l1, l2s in HIERARCHY:
            for l2 in l2s:
                if rng.random() < p:
                    pool = IND_POOL[l2]
                    k = min(len(pool), rng.choice([1, 1, 2, 2, 3, 4]))
                    for l3, v in rng.sample(pool, k):
                        inds.append({"horizon": h, "level1": l1, "level2": l2, "level3": l3, "value": v})
    if not any(x["horizon"] == "annual" for x in inds):
        inds.append({"horizon": "annual", "level1": "满意度指标", "level2": "服务对象满意度",
                     "level3": "服务对象满意度", "value": "≥95%"})
    return {"fields": f, "indicators": inds}


def load_base_forms(root, fresh=26, seed=20240611):
    """All base forms of the OCR corpus, each {"split", "base", "origin", "fields", "indicators"}.

    base: the line number in corpus/base-forms.jsonl (6-39) for the existing
    invented forms; 40 and up for the fresh ones."""
    out = []
    with open(os.path.join(root, "corpus/base-forms.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n < 6 or not line.strip():
                continue  # 0-5: the seed sample, never used here
            r = json.loads(line)
            out.append({"split": r["split"], "base": n,
                        "origin": "corpus/base-forms.jsonl:%d (%s base %d)" % (n + 1, r["split"], r["base"]),
                        "fields": r["fields"], "indicators": r["indicators"]})
    rng = random.Random(seed)
    start = 40
    for i in range(fresh):
        form = invent(rng, i)
        out.append({"split": "tune" if i % 2 == 0 else "test", "base": start + i,
                    "origin": "scripts/ocr-corpus/forms.py fresh %d" % i, **form})
    return out
