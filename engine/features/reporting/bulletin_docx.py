"""The monthly bulletin as a Word document (python-docx), laid out like an official notice.

A4, margins and fonts after GB/T 9704 (党政机关公文格式): title in 小标宋, headings in 黑体,
body in 仿宋 三号; page numbers in the footer. Fonts missing on the reader's machine fall
back to what Word or WPS substitutes.
"""
from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from engine.core.statuses import TaskStatus, WarningLevel
from engine.features.reporting.bulletin import BulletinData, ReportLine, TaskLine

TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"
BODY_SIZE, TABLE_SIZE = 16, 10.5
STATUS_TEXT = {TaskStatus.REGISTERED: "未启动", TaskStatus.IN_PROGRESS: "推进中",
               TaskStatus.PENDING_SIGNOFF: "待销号", TaskStatus.CLOSED: "已销号"}
NUMERALS = "一二三四五六七八九十"


def render_docx(data: BulletinData) -> bytes:
    document = Document()
    _page(document)
    _heading(document, data)
    sections = (_overview, _by_category, _signed_off, _reports, _supervision, _deadlines,
                *((_measures,) if data.measures is not None else ()), _requirements)
    for number, section in enumerate(sections):
        section(document, data, NUMERALS[number])
    _audit_head(document, data)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- layout helpers --------------------------------------------------------------------------

def _font(run: Run, name: str, size: float, bold: bool = False) -> Run:
    run.font.name, run.font.size, run.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return run


def _paragraph(document: DocumentObject, text: str = "", *, font: str = BODY_FONT, size: float = BODY_SIZE,
               bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = True) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    form = paragraph.paragraph_format
    form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    form.space_after = Pt(0)
    if indent:
        form.first_line_indent = Pt(size * 2)
    if text:
        _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _section_title(document: DocumentObject, numeral: str, text: str) -> None:
    _paragraph(document, f"{numeral}、{text}", font=HEADING_FONT)


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), BODY_FONT, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    _font(footer.add_run(" —"), BODY_FONT, 14)


def _table(document: DocumentObject, headers: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float]) -> Table:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, header, bold=True)
        _shade(cell, "D9E2F3")
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _cell(cell, "" if value is None else str(value))
    table.autofit = False  # fixed widths: Word and LibreOffice otherwise share the page equally
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
    _paragraph(document, indent=False)
    return table


def _cell(cell: object, text: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if len(text) <= 8 else WD_ALIGN_PARAGRAPH.LEFT
    _font(paragraph.add_run(text), BODY_FONT, TABLE_SIZE, bold)


def _shade(cell: object, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]


def _day(value: object) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""  # type: ignore[attr-defined]


def _units_with_codes(lines: Sequence[ReportLine]) -> str:
    grouped: dict[str, list[str]] = {}
    for line in lines:
        grouped.setdefault(line.unit, []).append(line.code)
    return "、".join(f"{unit}（{'、'.join(codes)}）" for unit, codes in grouped.items())


# --- the sections ---------------------------------------------------------------------------

def _heading(document: DocumentObject, data: BulletinData) -> None:
    _paragraph(document, "整改工作通报", font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(document, f"第{data.issue}期", size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    line = _paragraph(document, indent=False)
    line.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _font(line.add_run(data.office), BODY_FONT, BODY_SIZE)
    _font(line.add_run("\t" + _day(data.made_on)), BODY_FONT, BODY_SIZE)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # right-aligned date
    _paragraph(document, indent=False)
    inspection = data.round_name or "中央环境保护督察"
    _paragraph(document, f"{data.city}落实{inspection}反馈意见整改工作{data.label}通报", font=TITLE_FONT, size=20,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(document, indent=False)
    if not data.month_over:
        _paragraph(document, f"（本月尚未结束，数据截至{_day(data.made_on)}。）", size=14,
                   align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _overview(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, "总体进展")
    counts = data.statuses
    closed_now = sum(line.closed_in_month for line in data.categories)
    until = _day(data.month_end_day) if data.month_over else _day(data.made_on)
    _paragraph(document, f"截至{until}，全市{counts.total}项整改任务中，已销号{counts[TaskStatus.CLOSED]}项、"
                         f"待销号{counts[TaskStatus.PENDING_SIGNOFF]}项、推进中{counts[TaskStatus.IN_PROGRESS]}项、"
                         f"未启动{counts[TaskStatus.REGISTERED]}项，销号率{counts.completion:.1f}%。"
                         f"{data.label}新销号{closed_now}项。")
    red, yellow = data.warnings_now.get(WarningLevel.RED, 0), data.warnings_now.get(WarningLevel.YELLOW, 0)
    _paragraph(document, f"截至通报印发之日（{_day(data.made_on)}），未销号任务中红色预警{red}项、黄色预警{yellow}项。")


def _by_category(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, "分类别进展情况")
    rows = [(line.label, line.statuses.total, line.statuses[TaskStatus.CLOSED],
             line.statuses[TaskStatus.PENDING_SIGNOFF], line.statuses[TaskStatus.IN_PROGRESS],
             line.statuses[TaskStatus.REGISTERED], line.closed_in_month, f"{line.statuses.completion:.1f}%")
            for line in data.categories]
    total = data.statuses
    rows.append(("合计", total.total, total[TaskStatus.CLOSED], total[TaskStatus.PENDING_SIGNOFF],
                 total[TaskStatus.IN_PROGRESS], total[TaskStatus.REGISTERED],
                 sum(line.closed_in_month for line in data.categories), f"{total.completion:.1f}%"))
    _table(document, ("类别", "任务数", "已销号", "待销号", "推进中", "未启动", "本月销号", "销号率"), rows,
           (44, 15, 15, 15, 15, 16, 18, 18))


def _signed_off(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, f"{data.label}销号任务")
    if not data.signed_off:
        _paragraph(document, f"{data.label}无销号任务。")
        return
    _paragraph(document, f"{data.label}共{len(data.signed_off)}项任务经核验、公示和牵头市领导审批后销号：")
    _table(document, ("编号", "整改任务", "牵头单位", "牵头市领导", "销号日期"),
           [(line.code, line.title, line.unit, line.leader, _day(line.when)) for line in data.signed_off],
           (14, 68, 28, 20, 26))


def _reports(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, "按月交账情况")
    reports = data.reports
    if not reports:
        _paragraph(document, f"{data.label}没有到期的月度进展报告。")
        return
    sent = [line for line in reports if line.submitted_on]
    on_time = [line for line in sent if not line.overdue]
    missing = [line for line in reports if not line.submitted_on and line.overdue]
    pending = [line for line in reports if not line.submitted_on and not line.overdue]
    text = (f"{data.label}应报送月度进展{len(reports)}份，按期报送{len(on_time)}份，"
            f"逾期后补报{len(sent) - len(on_time)}份，逾期未报{len(missing)}份")
    text += f"，尚未到报送期限{len(pending)}份。" if pending else "。"
    _paragraph(document, text)
    overdue = data.overdue_reports()
    if overdue:
        _paragraph(document, f"以下单位未按期交账：{_units_with_codes(overdue)}。请相关单位立即报送，"
                             "并说明逾期原因。")
        _table(document, ("责任单位", "编号", "整改任务", "报送期限", "情况"),
               [(line.unit, line.code, line.title, _day(line.due_date), _late_text(line)) for line in overdue],
               (28, 14, 66, 26, 22))
    lagging = data.lagging_reports()
    if lagging:
        _paragraph(document, f"以下任务经审核进度滞后：{_units_with_codes(lagging)}。请相关单位制定赶进度措施。")


def _late_text(line: ReportLine) -> str:
    if line.submitted_on is None:
        return "至今未报"
    return f"逾期{(line.submitted_on - line.due_date).days}天补报"


def _supervision(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, "督办问责情况")
    issued, started = data.escalations.issued, data.escalations.started
    if issued:
        levels = Counter(str(item.get("level", "")) for item in issued)
        _paragraph(document, f"{data.label}启动督办问责{started}次，经领导批准实施问责措施{len(issued)}次：" +
                   "、".join(f"{level}{count}次" for level, count in levels.items()) + "。")
        _table(document, ("责任单位", "编号", "措施", "日期", "事由"),
               [(item.get("unit", ""), item.get("code", ""), item.get("level", ""), _day(item.get("issued_at")),
                 item.get("reason", "")) for item in issued], (28, 14, 18, 26, 70))
    elif started:
        _paragraph(document, f"{data.label}启动督办问责{started}次，"
                             "尚无经领导批准实施的通报、约谈、曝光、追责等问责措施。")
    else:
        _paragraph(document, f"{data.label}未启动通报、约谈、曝光、追责等问责措施。")
    acts = "、".join(f"{label}{count}次" for label, count in data.supervision.items() if count)
    _paragraph(document, f"整改督办组{data.label}开展{acts}。" if acts
               else f"整改督办组{data.label}未开展催报、超期督办或延期。")


def _deadlines(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, "整改时限提示")
    if data.past_deadline:
        until = f"{data.label}底" if data.month_over else _day(data.made_on)
        _paragraph(document, f"截至{until}，已超过整改时限尚未销号的任务{len(data.past_deadline)}项：")
        _task_table(document, data.past_deadline)
    following = data.due_next_month
    if following:
        _paragraph(document, f"下月到期的任务{len(following)}项，请责任单位抓紧推进、按期申请销号：")
        _task_table(document, following)
    if not data.past_deadline and not following:
        _paragraph(document, "没有已超期未销号或下月到期的任务。")


def _task_table(document: DocumentObject, lines: Sequence[TaskLine]) -> None:
    _table(document, ("编号", "整改任务", "牵头单位", "牵头市领导", "整改时限", "状态"),
           [(line.code, line.title, line.unit, line.leader, _day(line.when), STATUS_TEXT.get(line.status, "")
             if line.status else "") for line in lines], (12, 54, 26, 20, 28, 16))


def _measures(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, "强化措施推进情况")
    if data.measures is not None:
        _paragraph(document, data.measures.sentence())


def _requirements(document: DocumentObject, data: BulletinData, numeral: str) -> None:
    _section_title(document, numeral, "下一步工作要求")
    for text in (
        "（一）压紧压实整改责任。各责任单位要对照整改任务清单，逐项明确责任人和时间节点，确保按期完成。",
        "（二）严格按月交账。各责任单位须在每月规定时间前报送上月整改进展，逾期未报的将予以通报。",
        "（三）严格销号管理。坚持“五个不放过”，未经核验、公示和审批的任务一律不得销号。",
        "（四）加强督办问责。对进度滞后、逾期未报、整改不力的，依次采取通报、约谈、曝光、追责等措施。",
    ):
        _paragraph(document, text)


def _audit_head(document: DocumentObject, data: BulletinData) -> None:
    """The head published that day (/public/audit-head): whoever keeps the bulletin can later show the history
    up to then was not rewritten."""
    events, digest = data.audit_head
    day = _day(data.made_on - timedelta(days=1))
    _paragraph(document, f"审计记录链头（截至{day}24时）：共 {events} 条记录，SHA-256 {digest}", size=10.5)

