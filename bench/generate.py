"""Generate realistic synthetic releases in both layouts, deterministic from a seed and a size.

    python -m bench.generate --out DIR --releases 1000 --seed 1      # ~100 MB of text
    python -m bench.generate --out DIR --budget-years 2023,2024,2025 --departments 4

Each release imitates one of the committed samples in data_lake/raw/:

- Guangzhou rows (``guangzhou_rows``): title, 部门名称, 单位：万元, the tab-separated header, a
  合计 row, then per budget unit a subtotal row followed by its projects; page headers repeat
  every 12 to 25 rows (sometimes only the header row, as in 广州市公安局), and now and then a
  project's indicator cell is cut by the page break and continues in a fragment row after the
  header (as in 花都区分局). Indicators come in the long form
  ``1、1-产出指标；11-数量指标；名；实施周期指标值:100%；年度指标值:100%。`` (colon ``:`` or
  ``：``, cells optionally in ``<p>…</p>``) or the short form
  ``1、产出指标：名；年度指标值：95%以上。``. A few projects are classified (SM项目, 涉密
  placeholders) and a few names carry the stray spaces PDF extraction leaves.
- Tianjin tables (``tianjin_tables``): one table per project, one cell per line, each line led
  by a tab; 预算数 / 其中：财政资金 / 其他资金, 资金用途, 绩效目标, then a 5-column indicator table
  (一级 二级 三级 绩效指标描述 指标值) whose blank level 1 means "same as above"; the last table
  is a special-bond table in 元 with swapped 项目性质/项目编号 labels and a 4-column indicator
  table with 偿债指标.

Money is generated in cents of 万元 (bond tables: multiples of 100 元), so every project
total equals its funding sources, every unit subtotal the sum of its projects, and 合计 the sum
of the units, exactly: a generated release reconciles with zero mismatches and zero rounding.
Each release also records what it contains (units, projects, indicators), so tests can compare
the parser's counts with the generator's, not with the parser's own output.

``generate_budget_years`` writes the same departments over several budget years instead (see its
docstring): projects carried over, added, ended, changed in money and in targets, a department
renamed, a superseded draft; it records what happened to every project, for the year marts' tests.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

GUANGZHOU = "guangzhou_rows"
TIANJIN = "tianjin_tables"
DEFAULT_MEAN_KB = 100
# Size of one release relative to the mean: uniform in [1 - SPREAD, 1 + SPREAD].
SIZE_SPREAD = 0.6
# The layout mix repeats every ten releases: 4 long-form and 3 short-form Guangzhou, 3 Tianjin.
LAYOUT_CYCLE = (
    "gz-long",
    "tj",
    "gz-short",
    "gz-long",
    "gz-long",
    "tj",
    "gz-short",
    "gz-long",
    "tj",
    "gz-short",
)

GZ_TITLE = "项目支出绩效目标表（含转移支付项目）"
GZ_HEADER = "项目名称（资金使用单位）\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标"

DISTRICTS = (
    "",
    "白云区",
    "花都区",
    "天河区",
    "越秀区",
    "海珠区",
    "番禺区",
    "黄埔区",
    "南沙区",
    "从化区",
)
DEPARTMENTS = (
    "公安局",
    "政务服务和数据管理局",
    "卫生健康委员会",
    "教育局",
    "交通运输局",
    "民政局",
    "司法局",
    "应急管理局",
    "城市管理和综合执法局",
    "市场监督管理局",
    "生态环境局",
    "水务局",
)
SUB_UNITS = (
    "机关幼儿园",
    "信息中心",
    "综合保障中心",
    "执法支队",
    "监测站",
    "培训中心",
    "档案馆",
    "服务中心",
    "技术保障处",
    "治安支队",
    "交通警察支队",
    "第一分局",
    "第二分局",
    "研究院",
)
SECTIONS = ("治安支队", "禁毒支队", "装财处", "大数据支队", "情报指挥中心", "办公室", "法制处")
SUBJECTS = (
    "辅警补助经费",
    "信息化运维项目",
    "办公、业务用房租赁经费",
    "业务用房物业管理费",
    "警用装备购置经费",
    "公务用车购置经费",
    "执法办案经费",
    "专项工作经费",
    "机构运行辅助经费",
    "系统建设项目",
    "平台运营项目",
    "数据治理服务项目",
    "宣传培训经费",
    "设备维护维修经费",
    "城市建设维护资金",
    "政府雇员工资经费",
    "网格员补助",
    "第二代居民身份证工本费补助",
    "视频监控系统建设项目",
    "安全生产监管经费",
    "应急物资储备经费",
    "课题研究经费",
)
GOAL_SENTENCES = (
    "通过实施该项目，保障相关系统稳定运行，提升业务工作效率",
    "强化队伍建设，保持队伍稳定，提升服务群众能力",
    "建设和维护各类设施设备，保证设施完好、运行正常",
    "做好日常运营保障工作，确保场地稳定、安全、高效运行",
    "按照上级部署推进重点任务，按期完成年度工作目标",
    "加强数据资源汇聚共享，为决策提供坚实支撑",
    "完善工作机制，强化数字赋能，更好解决群众和企业的急难愁盼问题",
    "规范资金使用管理，提高财政资金使用效益",
    "开展专项宣传和业务培训，提升工作人员业务素质",
    "提升应急处置能力，维护社会安全稳定",
)
# (level-1 code, level-1 name, level-2 code, level-2 name): the framework the files print.
FRAMEWORK = (
    ("1", "产出指标", "11", "数量指标"),
    ("1", "产出指标", "12", "质量指标"),
    ("1", "产出指标", "13", "时效指标"),
    ("1", "产出指标", "14", "成本指标"),
    ("4", "成本指标", "41", "经济成本指标"),
    ("2", "效益指标", "21", "经济效益"),
    ("2", "效益指标", "22", "社会效益"),
    ("2", "效益指标", "24", "可持续影响"),
    ("3", "满意度指标", "31", "服务对象满意度"),
)
INDICATOR_NAMES = {
    "11": (
        "保障人员数量",
        "会议活动保障次数",
        "设备维护数量",
        "巡查次数",
        "培训人次",
        "车辆购置数量",
    ),
    "12": ("验收合格率", "系统正常运行率", "工单办结率", "数据准确率", "考核合格率"),
    "13": ("故障处理及时率", "项目按期完成率", "资金支付及时率", "响应时间"),
    "14": ("成本控制率", "预算执行偏差率"),
    "41": ("支出控制情况", "单位成本"),
    "21": ("避免财物损失", "节约运行成本"),
    "22": ("社会治安防控能力", "群众办事便利度", "交通信号设施设备正常率", "社会面稳定"),
    "24": ("长效机制建设", "系统持续运行"),
    "31": ("服务对象满意度", "群众满意度", "使用单位满意度"),
}
TARGETS = (
    "100%",
    "≥95%",
    "95%以上",
    "不低于90%",
    "≤5天",
    "10万人次以上",
    "提升",
    "下降",
    "有所提高",
    "2026年12月31日前",
    "按时完成",
    "有效保障",
    "=1",
    ">98%",
    "大于等于98%",
    "约82人",
    "2000米",
    "≥20场",
    "≤1%",
    "90分以上",
    "370个",
    "≥4000米",
    "达到98%",
    "同比上升",
    "正常运转",
)
TIANJIN_TARGETS = (
    "≥361件",
    "≤100%",
    "1个",
    "有效保障",
    "≥95%",
    "≤212.8万元",
    "按时完成",
    "100%",
    "≥90%",
    "2024年12月31日前",
    "提升",
    "≤5个工作日",
    "不超预算",
    "≥15套",
    "明显提升",
)
TIANJIN_FRAMEWORK = (
    ("产出指标", ("数量指标", "质量指标", "时效指标", "成本指标")),
    ("效益指标", ("社会效益指标", "经济效益指标", "可持续影响指标")),
    ("满意度指标", ("服务对象满意度指标",)),
)
TIANJIN_DEPARTMENTS = (
    ("341", "天津市公安局"),
    ("342", "天津市民政局"),
    ("343", "天津市司法局"),
    ("344", "天津市交通运输委员会"),
    ("345", "天津市卫生健康委员会"),
    ("346", "天津市教育委员会"),
)


@dataclass(frozen=True)
class GeneratedRelease:
    """One synthetic release: its text and what the generator put into it."""

    release_id: str
    layout: str
    text: str
    n_units: int
    n_projects: int
    n_indicators: int
    total_cents_of_wan: int

    @property
    def size_bytes(self) -> int:
        """Size of the UTF-8 text."""
        return len(self.text.encode("utf-8"))


def release_sizes(seed: int, releases: int, mean_kb: float = DEFAULT_MEAN_KB) -> list[int]:
    """Target size in bytes of each release: uniform around the mean, deterministic."""
    rng = random.Random(f"bench-sizes-{seed}")
    return [
        int(mean_kb * 1000 * rng.uniform(1 - SIZE_SPREAD, 1 + SIZE_SPREAD)) for _ in range(releases)
    ]


def release_id_for(seed: int, index: int) -> str:
    """``gen-s<seed>-<index>-<gz|tj>``: sorts in generation order."""
    kind = LAYOUT_CYCLE[index % len(LAYOUT_CYCLE)]
    return f"gen-s{seed}-{index:05d}-{kind[:2]}"


def generate_release(seed: int, index: int, target_bytes: int) -> GeneratedRelease:
    """Generate release ``index`` of the set for ``seed``, about ``target_bytes`` long."""
    rng = random.Random(f"bench-release-{seed}-{index}")
    kind = LAYOUT_CYCLE[index % len(LAYOUT_CYCLE)]
    release_id = release_id_for(seed, index)
    if kind == "tj":
        return _tianjin(rng, release_id, target_bytes)
    return _guangzhou(rng, release_id, target_bytes, short_form=kind == "gz-short")


def generate_releases(
    seed: int, releases: int, mean_kb: float = DEFAULT_MEAN_KB
) -> list[GeneratedRelease]:
    """Every release of a set, in memory (tests; the CLI writes them one by one)."""
    sizes = release_sizes(seed, releases, mean_kb)
    return [generate_release(seed, index, size) for index, size in enumerate(sizes)]


def write_releases(
    out: Path, releases: int, seed: int, mean_kb: float = DEFAULT_MEAN_KB
) -> list[Path]:
    """Write ``<out>/<release_id>.txt`` for every release of the set; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, size in enumerate(release_sizes(seed, releases, mean_kb)):
        release = generate_release(seed, index, size)
        path = out / f"{release.release_id}.txt"
        path.write_text(release.text, encoding="utf-8")
        paths.append(path)
    return paths


# --- money --------------------------------------------------------------------------------


def _cents(rng: random.Random, low_wan: float = 1.0, high_wan: float = 20000.0) -> int:
    """An amount in cents of 万元, log-uniform: many small projects, a few large ones."""
    return int(math.exp(rng.uniform(math.log(low_wan * 100), math.log(high_wan * 100))))


def _wan(cents: int, blank_zero: bool = True) -> str:
    """Print cents of 万元 as the documents do: ``1,989.76``; zero prints as a blank cell."""
    if cents == 0 and blank_zero:
        return ""
    return f"{cents // 100:,}.{cents % 100:02d}"


def _split_sources(rng: random.Random, total: int) -> tuple[int, int, int]:
    """(fiscal, special_account, other) cents that add up to ``total`` exactly."""
    roll = rng.random()
    if roll < 0.85:
        return total, 0, 0
    if roll < 0.95:
        other = total * rng.randint(5, 40) // 100
        return total - other, 0, other
    if roll < 0.98:
        return 0, 0, total
    return 0, total, 0


# --- Guangzhou ----------------------------------------------------------------------------


def _gz_department(rng: random.Random) -> str:
    return f"广州市{rng.choice(DISTRICTS)}{rng.choice(DEPARTMENTS)}"


def _project_name(rng: random.Random, department: str, classified: bool) -> str:
    roll = rng.random()
    subject = rng.choice(SUBJECTS)
    year = rng.choice(("2025", "2026"))
    if classified:
        return f"{department}{year}年SM信息化运维项目"
    if roll < 0.35:
        return subject
    if roll < 0.55:
        # The stray space PDF extraction leaves between a section and the year.
        return f"{department}{rng.choice(SECTIONS)} {year}年{subject}"
    if roll < 0.8:
        return f"{rng.choice(SECTIONS)}{year}年{subject}"
    return f"{subject}（{rng.choice(DISTRICTS[1:])}分局）"


def _goal(rng: random.Random, sentences: int) -> str:
    return "，".join(rng.sample(GOAL_SENTENCES, sentences)) + "。"


def _gz_indicators(rng: random.Random, short_form: bool, colon: str) -> tuple[str, int]:
    """One 绩效指标 cell and how many items it holds."""
    count = rng.randint(2, 8)
    items = []
    for number in range(1, count + 1):
        l1_code, l1_name, l2_code, l2_name = rng.choice(FRAMEWORK)
        name = rng.choice(INDICATOR_NAMES[l2_code])
        annual = rng.choice(TARGETS)
        if short_form:
            items.append(f"{number}、{l1_name}：{name}；年度指标值：{annual}。")
        else:
            period = annual if rng.random() < 0.7 else rng.choice(TARGETS)
            items.append(
                f"{number}、{l1_code}-{l1_name}；{l2_code}-{l2_name}；{name}；"
                f"实施周期指标值{colon}{period}；年度指标值{colon}{annual}。"
            )
    return (" " if short_form else "").join(items), count


def _classified_indicators(short_form: bool, colon: str) -> str:
    if short_form:
        return "1、产出指标：待单位补充...；年度指标值：涉密。"
    return (
        f"1、1-产出指标；11-数量指标；待单位补充...；实施周期指标值{colon}SM项目；"
        f"年度指标值{colon}SM项目。"
    )


def _page_header(rng: random.Random, department: str) -> list[str]:
    if rng.random() < 0.25:
        return ["", GZ_HEADER]
    return ["", GZ_TITLE, "", f"部门名称：{department}", "", "单位：万元", "", GZ_HEADER]


def _guangzhou(
    rng: random.Random, release_id: str, target_bytes: int, short_form: bool
) -> GeneratedRelease:
    department = _gz_department(rng)
    colon = rng.choice((":", "：")) if not short_form else "："
    html = rng.random() < 0.2
    preamble = ["", "", GZ_TITLE, "", f"部门名称：{department}", "", "单位：万元", "", GZ_HEADER]
    budget = target_bytes - sum(len(line.encode("utf-8")) + 1 for line in preamble) - 120
    n_units_planned = rng.randint(1, 6)
    unit_names = [department] + [
        f"{department}{sub}" for sub in rng.sample(SUB_UNITS, n_units_planned - 1)
    ]
    # Each unit: (subtotal cents per source, [project lines]); lines are assembled at the end.
    units: list[tuple[str, list[int], list[tuple[str, str, str, int]]]] = []
    used = 0
    n_indicators = 0
    unit_index = 0
    per_unit = max(1, budget // max(1, n_units_planned))
    while used < budget or not units:
        name = unit_names[unit_index % len(unit_names)]
        if unit_index >= len(unit_names):
            name = f"{name}{unit_index // len(unit_names) + 1}所"
        unit_index += 1
        sums = [0, 0, 0, 0]
        rows: list[tuple[str, str, str, int]] = []
        unit_used = 0
        while (unit_used < per_unit and used + unit_used < budget) or not rows:
            classified = rng.random() < 0.01
            project = _project_name(rng, department, classified)
            total = _cents(rng)
            fiscal, special, other = _split_sources(rng, total)
            for position, cents in enumerate((total, fiscal, special, other)):
                sums[position] += cents
            if classified:
                goal = "该项目为涉密项目。" * rng.randint(1, 4)
                indicators, count = _classified_indicators(short_form, colon), 1
            else:
                goal = _goal(rng, rng.randint(1, 4))
                indicators, count = _gz_indicators(rng, short_form, colon)
            if html:
                goal, indicators = f"<p>{goal}</p>", f"<p>{indicators}</p>"
            n_indicators += count
            money = "\t".join(_wan(c) for c in (total, fiscal, special, other))
            line = f"{project}\t{money}\t{goal}"
            rows.append((line, indicators, project, count))
            unit_used += len(line.encode("utf-8")) + len(indicators.encode("utf-8")) + 2
        used += unit_used
        units.append((name, sums, rows))

    grand = [sum(unit[1][k] for unit in units) for k in range(4)]
    lines = list(preamble)
    lines.append("合计\t" + "\t".join(_wan(c) for c in grand) + "\t\t")
    since_break = 0
    next_break = rng.randint(12, 25)
    n_projects = 0
    for name, sums, rows in units:
        lines.append(f"{name}\t" + "\t".join(_wan(c) for c in sums) + "\t\t")
        for line, indicators, _project, _count in rows:
            n_projects += 1
            since_break += 1
            if since_break < next_break:
                lines.append(f"{line}\t{indicators}")
                continue
            since_break, next_break = 0, rng.randint(12, 25)
            cut = indicators.rfind("指标值")
            if rng.random() < 0.3 and cut > 0:
                # The cell runs over the page break: "…指标" here, "值:100%；…" after the header.
                lines.append(f"{line}\t{indicators[: cut + 2]}")
                lines.extend(_page_header(rng, department))
                lines.append("\t" * 6 + indicators[cut + 2 :])
            else:
                lines.append(f"{line}\t{indicators}")
                lines.extend(_page_header(rng, department))
    text = "\n".join(lines) + "\n"
    return GeneratedRelease(
        release_id=release_id,
        layout=GUANGZHOU,
        text=text,
        n_units=len(units),
        n_projects=n_projects,
        n_indicators=n_indicators,
        total_cents_of_wan=grand[0],
    )


# --- Tianjin ------------------------------------------------------------------------------


def _tj_indicator_table(
    rng: random.Random, with_description: bool, groups: tuple, targets: tuple
) -> tuple[list[str], int]:
    header = ["一级指标", "二级指标", "三级指标"]
    header += ["绩效指标描述", "指标值"] if with_description else ["指标值"]
    lines = [f"\t{cell}" for cell in header] + [""]
    count = 0
    for level1, level2s in groups:
        for position in range(rng.randint(1, 3)):
            level2 = rng.choice(level2s)
            name = rng.choice(INDICATOR_NAMES[rng.choice(tuple(INDICATOR_NAMES))])
            cells = [level1 if position == 0 else "", level2, name]
            if with_description:
                cells.append(name if rng.random() < 0.7 else f"{name}（{rng.choice(SECTIONS)}）")
            cells.append(rng.choice(targets))
            lines.extend(f"\t{cell}" for cell in cells)
            lines.append("")
            count += 1
    return lines, count


def _tj_project_table(
    rng: random.Random, number: int, unit: str, with_description: bool
) -> tuple[list[str], int, int]:
    """(lines, cents of 万元, indicators) of one ordinary project table."""
    name = f"{rng.choice(SECTIONS)}{rng.choice(SUBJECTS)}-{rng.choice(('2023', '2024'))}"
    total = _cents(rng, 1.0, 5000.0)
    other = total * rng.randint(10, 50) // 100 if rng.random() < 0.1 else 0
    fiscal = total - other
    goal = _goal(rng, rng.randint(1, 3))
    lines = [
        f"[bookmark: _Toc{157955061 + number}]{number}.{name}绩效目标表",
        f"\t{unit}",
        "\t单位：万元",
        "",
        "\t项目名称",
        f"\t{name}",
        "",
        "\t预算规模及资金用途",
        "\t预算数",
        f"\t{_wan(total, blank_zero=False)}",
        "\t其中：财政资金",
        f"\t{_wan(fiscal)}",
        "\t其他资金",
        f"\t{_wan(other)}",
        "",
        "\t",
        f"\t{rng.choice(GOAL_SENTENCES)}。",
        "",
        "\t绩效目标",
        f"\t1.{goal}",
        "",
        "",
        "",
    ]
    table, count = _tj_indicator_table(rng, with_description, TIANJIN_FRAMEWORK, TIANJIN_TARGETS)
    return lines + table + ["", ""], total, count


def _tj_bond_table(
    rng: random.Random, number: int, unit: str, department: str
) -> tuple[list[str], int, int]:
    """(lines, cents of 万元, indicators) of the special-bond table, printed in 元."""
    name = f"{rng.choice(SUB_UNITS)}建设项目-2023年专项债券"
    # Multiples of 100 元: exact in cents of 万元 after ÷10000.
    bond = rng.randint(1000, 900000) * 100 * 100
    own = rng.randint(0, 50000) * 100 if rng.random() < 0.5 else 0
    total = bond + own
    funding = [
        ("合计", total),
        ("中央", 0),
        ("市级", 0),
        ("专项债券资金", bond),
        ("自有资金", own),
        ("其他资金", 0),
        ("其中：银行贷款", 0),
        ("其他融资资金", 0),
    ]
    lines = [
        f"[bookmark: _Toc{157955061 + number}]{number}.{name}绩效目标表",
        "\t",
        "",
        "\t项目性质",
        f"\t12000023P0{rng.randint(10**9, 10**10 - 1)}P\t",
        "",
        "\t项目编号",
        "\t续建项目",
        "",
        "\t项目单位",
        f"\t{unit}",
        "",
        "\t主管部门",
        f"\t{department}",
        "",
        "\t计划开工时间",
        "\t2023-04-01",
        "\t计划竣工时间",
        "\t2025-01-30",
        "",
        "\t项目资金来源及落实情况",
        "\t资金来源",
        "\t金额（元）",
        "\t利率（%）",
        "\t占比（%）",
        "\t已到位资金",
        "\t到位时间",
        "\t存量融资抵质押状况",
        "",
    ]
    for label, yuan in funding:
        prefix = ["\t", "\t财政拨款"] if label == "中央" else ["\t"]
        lines += prefix + [f"\t{label}", f"\t{yuan}", "\t", "\t", f"\t{yuan}", "\t", "\t", ""]
    lines += [
        "\t总体目标",
        f"\t1.{_goal(rng, 1)}\t\t\t\t\t",
        "",
        "\t当年目标",
        f"\t1.\t\t\t\t\t\t{_goal(rng, 1)}\t",
        "",
        "",
    ]
    groups = TIANJIN_FRAMEWORK + (("偿债指标", ("预期收益实现时间", "预期收益金额", "偿债倍率")),)
    table, count = _tj_indicator_table(rng, False, groups, TIANJIN_TARGETS)
    return lines + table + ["", ""], total // 100, count


def _tianjin(rng: random.Random, release_id: str, target_bytes: int) -> GeneratedRelease:
    code, department = rng.choice(TIANJIN_DEPARTMENTS)
    units = [
        f"{code}{101 + k}{department}{sub}"
        for k, sub in enumerate(rng.sample(SUB_UNITS, rng.randint(3, 12)))
    ]
    with_description = rng.random() < 0.8
    lines: list[str] = []
    used = 0
    number = 0
    used_units: set[str] = set()
    n_indicators = 0
    total = 0
    bond_reserve = 2500
    while used < target_bytes - bond_reserve or number == 0:
        number += 1
        unit = rng.choice(units)
        used_units.add(unit)
        table, cents, count = _tj_project_table(rng, number, unit, with_description)
        lines += table
        used += sum(len(line.encode("utf-8")) + 1 for line in table)
        n_indicators += count
        total += cents
    number += 1
    bond_unit = rng.choice(sorted(used_units))
    table, cents, count = _tj_bond_table(rng, number, bond_unit, f"{code}{department}")
    lines += table
    n_indicators += count
    total += cents
    lines[0] = " " + lines[0]  # the sample's first title line starts with a space
    return GeneratedRelease(
        release_id=release_id,
        layout=TIANJIN,
        text="\n".join(lines) + "\n",
        n_units=len(used_units),
        n_projects=number,
        n_indicators=n_indicators,
        total_cents_of_wan=total,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: write a set of releases (or several budget years of departments)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for <release_id>.txt")
    parser.add_argument("--releases", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mean-kb", type=float, default=DEFAULT_MEAN_KB)
    parser.add_argument(
        "--budget-years",
        help="comma-separated years, e.g. 2024,2025: the same departments in each year "
        "(with .meta.json sidecars) instead of --releases independent releases",
    )
    parser.add_argument("--departments", type=int, default=3, help="with --budget-years")
    args = parser.parse_args(argv)
    if args.budget_years:
        years = tuple(int(year) for year in args.budget_years.split(","))
        paths = generate_budget_years(args.seed, years, args.departments).write(args.out)
    else:
        paths = write_releases(args.out, args.releases, args.seed, args.mean_kb)
    size = sum(path.stat().st_size for path in paths)
    print(f"{len(paths)} releases, {size / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# --- several budget years of the same departments ---------------------------------------------

# A department renamed between years, as seeds/department_aliases.csv records it.
RENAMED_DEPARTMENT = ("广州市卫生和计划生育委员会", "广州市卫生健康委员会")
# Targets that move in a known direction: (operator, number, unit). ≥ is a floor, ≤ a ceiling.
YEAR_TARGETS = (("≥", 95, "%"), ("≥", 20, "场"), ("≤", 5, "天"), ("≤", 3, "%"), ("≥", 90, "分"))


@dataclass
class _PlannedIndicator:
    level: tuple[str, str, str, str]
    name: str
    operator: str
    value: int
    unit: str

    @property
    def target(self) -> str:
        return f"{self.operator}{self.value}{self.unit}"


@dataclass
class _PlannedProject:
    unit_suffix: str  # "" is the department's own unit (本级); else the sub-unit's name
    name: str
    cents: tuple[int, int, int, int]  # total, fiscal, special account, other
    indicators: list[_PlannedIndicator]


@dataclass(frozen=True)
class YearRelease:
    """One release of a department-year, its sidecar, and what the generator knows about it."""

    release: GeneratedRelease
    sidecar: dict
    department_zh: str
    budget_year: int
    is_current: bool


@dataclass(frozen=True)
class ProjectYearTruth:
    """What happened to one project in one year, as the generator decided it."""

    department_key: str  # the department's current (latest) name
    budget_year: int
    unit_suffix: str
    name: str
    status: str  # new / ended / changed / unchanged
    total_cents: int | None
    previous_total_cents: int | None
    n_targets_tightened: int
    n_targets_loosened: int


@dataclass(frozen=True)
class GeneratedYears:
    """Several budget years of the same departments, with the truth to test the marts against."""

    releases: list[YearRelease]
    projects: list[ProjectYearTruth]

    def write(self, out: Path) -> list[Path]:
        """Write each release's text and its ``.meta.json`` sidecar to ``out``."""
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for item in self.releases:
            path = out / f"{item.release.release_id}.txt"
            path.write_text(item.release.text, encoding="utf-8")
            (out / f"{item.release.release_id}.meta.json").write_text(
                json.dumps(item.sidecar, ensure_ascii=False), encoding="utf-8"
            )
            paths.append(path)
        return paths


def generate_budget_years(
    seed: int = 1,
    years: tuple[int, ...] = (2024, 2025),
    departments: int = 3,
    projects_per_department: int = 12,
) -> GeneratedYears:
    """The same departments over several budget years, in both layouts.

    Department 0 is Guangzhou and renamed after its first year (RENAMED_DEPARTMENT); its first
    year also has an earlier-published draft release, superseded by the final one. Odd
    departments are Tianjin. Guangzhou departments state the year in the title
    (``2024年度项目支出绩效目标表``) and give no budget_year in the sidecar, Tianjin ones give it
    in the sidecar only, so both sources are exercised. From one year to the next each project
    ends (15 %), changes money (30 %), tightens or loosens one target (30 %), or stays; new
    projects are added; one unit prints the same project name twice every year.
    """
    rng = random.Random(f"bench-years-{seed}")
    releases: list[YearRelease] = []
    truths: list[ProjectYearTruth] = []
    for index in range(departments):
        layout = TIANJIN if index % 2 else GUANGZHOU
        if index == 0:
            names = [RENAMED_DEPARTMENT[0]] + [RENAMED_DEPARTMENT[1]] * (len(years) - 1)
        elif layout == TIANJIN:
            names = [TIANJIN_DEPARTMENTS[index % len(TIANJIN_DEPARTMENTS)][1]] * len(years)
        else:
            names = [f"广州市{DISTRICTS[index % len(DISTRICTS)]}{DEPARTMENTS[index]}"] * len(years)
        code = TIANJIN_DEPARTMENTS[index % len(TIANJIN_DEPARTMENTS)][0]
        subs = rng.sample(SUB_UNITS, 2)
        used: set[str] = set()
        plan = [
            _plan_project(rng, rng.choice(["", *subs]), used)
            for _ in range(projects_per_department)
        ]
        # The same name twice in the department's own unit, every year: order among equals.
        plan[0].unit_suffix = ""
        repeated = plan[0].name
        plan.append(_PlannedProject("", repeated, *_money_and_indicators(rng)))
        previous: dict[tuple[str, str, int], _PlannedProject] = {}
        for position, year in enumerate(years):
            if position:
                plan, moves = _next_year(rng, plan, repeated, used)
            else:
                moves = {}
            current = _keyed(plan)
            for key, project in current.items():
                before = previous.get(key)
                tightened, loosened = moves.get(id(project), (0, 0))
                if not position or before is None:
                    status = "new"
                elif before.cents != project.cents or tightened or loosened:
                    status = "changed"
                else:
                    status = "unchanged"
                truths.append(
                    ProjectYearTruth(
                        names[-1],
                        year,
                        key[0],
                        key[1],
                        status,
                        project.cents[0],
                        before.cents[0] if before else None,
                        tightened,
                        loosened,
                    )
                )
            for key, before in previous.items():
                if key not in current:
                    truths.append(
                        ProjectYearTruth(
                            names[-1], year, key[0], key[1], "ended", None, before.cents[0], 0, 0
                        )
                    )
            previous = current
            release_id = f"years-s{seed}-d{index}-{year}"
            render = _render_tianjin_year if layout == TIANJIN else _render_guangzhou_year
            text = render(names[position], code, year, plan)
            sidecar = {"published_on": f"{year - 1}-12-20"}
            if layout == TIANJIN:
                sidecar["budget_year"] = year
            releases.append(
                YearRelease(
                    _year_release(release_id, layout, text, plan),
                    sidecar,
                    names[position],
                    year,
                    True,
                )
            )
            if index == 0 and position == 0:
                # An earlier draft of the same year: kept, superseded, never summed.
                draft = [
                    _PlannedProject(p.unit_suffix, p.name, p.cents, p.indicators) for p in plan
                ]
                draft = draft[:-2]
                releases.append(
                    YearRelease(
                        _year_release(
                            f"{release_id}-draft",
                            layout,
                            render(names[position], code, year, draft),
                            draft,
                        ),
                        {"published_on": f"{year - 1}-10-01"},
                        names[position],
                        year,
                        False,
                    )
                )
    return GeneratedYears(releases, truths)


def _keyed(plan: list[_PlannedProject]) -> dict[tuple[str, str, int], _PlannedProject]:
    """Projects by (unit, name, occurrence among equals): how the marts match them."""
    seen: dict[tuple[str, str], int] = {}
    keyed = {}
    for project in plan:
        occurrence = seen.get((project.unit_suffix, project.name), 0) + 1
        seen[(project.unit_suffix, project.name)] = occurrence
        keyed[(project.unit_suffix, project.name, occurrence)] = project
    return keyed


def _money_and_indicators(
    rng: random.Random,
) -> tuple[tuple[int, int, int, int], list[_PlannedIndicator]]:
    total = _cents(rng, 5.0, 3000.0)
    cents = (total, *_split_sources(rng, total))
    indicators = []
    for level in rng.sample(FRAMEWORK, rng.randint(2, 4)):
        operator, value, unit = rng.choice(YEAR_TARGETS)
        names = INDICATOR_NAMES[level[2]]
        used = {item.name for item in indicators}
        name = next((n for n in names if n not in used), f"{names[0]}{len(indicators)}")
        indicators.append(_PlannedIndicator(level, name, operator, value, unit))
    return cents, indicators


def _plan_project(rng: random.Random, unit_suffix: str, used: set[str]) -> _PlannedProject:
    """A project whose name the department has never used (names that repeat are on purpose)."""
    name = f"{rng.choice(SECTIONS)}{rng.choice(SUBJECTS)}"
    while name in used:
        name = f"{rng.choice(SECTIONS)}{rng.choice(SUBJECTS)}{rng.randint(1, 99)}期"
    used.add(name)
    return _PlannedProject(unit_suffix, name, *_money_and_indicators(rng))


def _next_year(
    rng: random.Random, plan: list[_PlannedProject], repeated: str, used: set[str]
) -> tuple[list[_PlannedProject], dict[int, tuple[int, int]]]:
    """The next year's projects, and per project id the (tightened, loosened) targets."""
    following: list[_PlannedProject] = []
    moves: dict[int, tuple[int, int]] = {}
    for project in plan:
        roll = rng.random()
        if roll < 0.15 and project.name != repeated:
            continue
        carried = _PlannedProject(
            project.unit_suffix, project.name, project.cents, list(project.indicators)
        )
        if 0.15 <= roll < 0.45:
            total = max(100, int(project.cents[0] * rng.uniform(0.7, 1.3)))
            carried.cents = (total, *_split_sources(rng, total))
        elif 0.45 <= roll < 0.75:
            which = rng.randrange(len(carried.indicators))
            old = carried.indicators[which]
            step = rng.choice((-1, 1))
            tighter = step > 0 if old.operator == "≥" else step < 0
            carried.indicators[which] = _PlannedIndicator(
                old.level, old.name, old.operator, old.value + step, old.unit
            )
            moves[id(carried)] = (1, 0) if tighter else (0, 1)
        following.append(carried)
    for _ in range(max(1, len(plan) // 6)):
        following.insert(
            rng.randrange(len(following) + 1),
            _plan_project(rng, rng.choice([p.unit_suffix for p in plan]), used),
        )
    return following, moves


def _year_release(
    release_id: str, layout: str, text: str, plan: list[_PlannedProject]
) -> GeneratedRelease:
    return GeneratedRelease(
        release_id=release_id,
        layout=layout,
        text=text,
        n_units=len({p.unit_suffix for p in plan}),
        n_projects=len(plan),
        n_indicators=sum(len(p.indicators) for p in plan),
        total_cents_of_wan=sum(p.cents[0] for p in plan),
    )


def _render_guangzhou_year(
    department: str, _code: str, year: int, plan: list[_PlannedProject]
) -> str:
    lines = ["", "", f"{year}年度{GZ_TITLE}", "", f"部门名称：{department}", "", "单位：万元", ""]
    lines.append(GZ_HEADER)
    units: dict[str, list[_PlannedProject]] = {}
    for project in plan:
        units.setdefault(project.unit_suffix, []).append(project)
    grand = [sum(p.cents[k] for p in plan) for k in range(4)]
    lines.append("合计\t" + "\t".join(_wan(c) for c in grand) + "\t\t")
    for suffix, projects in units.items():
        sums = [sum(p.cents[k] for p in projects) for k in range(4)]
        lines.append(f"{department}{suffix}\t" + "\t".join(_wan(c) for c in sums) + "\t\t")
        for project in projects:
            cells = "".join(
                f"{n}、{i.level[0]}-{i.level[1]}；{i.level[2]}-{i.level[3]}；{i.name}；"
                f"实施周期指标值:{i.target}；年度指标值:{i.target}。"
                for n, i in enumerate(project.indicators, start=1)
            )
            money = "\t".join(_wan(c) for c in project.cents)
            lines.append(f"{project.name}\t{money}\t{GOAL_SENTENCES[0]}。\t{cells}")
    return "\n".join(lines) + "\n"


def _render_tianjin_year(
    department: str, code: str, _year: int, plan: list[_PlannedProject]
) -> str:
    # Codes fixed by the unit, not by which units print projects this year: codes match years.
    unit_codes = {suffix: f"{code}{101 + k}" for k, suffix in enumerate(("", *SUB_UNITS))}
    lines: list[str] = []
    for number, project in enumerate(plan, start=1):
        total, fiscal, _special, other = project.cents
        lines += [
            f"[bookmark: _Toc{157955061 + number}]{number}.{project.name}绩效目标表",
            f"\t{unit_codes[project.unit_suffix]}{department}{project.unit_suffix}",
            "\t单位：万元",
            "",
            "\t项目名称",
            f"\t{project.name}",
            "",
            "\t预算规模及资金用途",
            "\t预算数",
            f"\t{_wan(total, blank_zero=False)}",
            "\t其中：财政资金",
            f"\t{_wan(fiscal + _special)}",
            "\t其他资金",
            f"\t{_wan(other)}",
            "",
            "\t",
            f"\t{GOAL_SENTENCES[1]}。",
            "",
            "\t绩效目标",
            f"\t1.{GOAL_SENTENCES[2]}。",
            "",
            "",
            "",
        ]
        lines += [
            f"\t{cell}" for cell in ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值")
        ]
        lines.append("")
        previous_level1 = None
        for item in project.indicators:
            level1 = item.level[1] if item.level[1] != previous_level1 else ""
            previous_level1 = item.level[1]
            for cell in (level1, item.level[3], item.name, item.name, item.target):
                lines.append(f"\t{cell}")
            lines.append("")
        lines += ["", ""]
    lines[0] = " " + lines[0]
    return "\n".join(lines) + "\n"
