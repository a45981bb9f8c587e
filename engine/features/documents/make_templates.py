"""Write duban's default document templates (templates/*.docx), laid out as official documents are.

Run `python -m engine.features.documents.make_templates` after changing the layout and commit the files:
duban ships these, and an office may replace any of them with its own edited in Word. After GB/T 9704
(党政机关公文格式): A4; the issuing office in red above a red rule; the 文号 under it; the title in
小标宋; the addressee; the body in 仿宋 三号; the office and the date at the bottom right, with room
above them for the seal. The fields are docxtpl's (jinja) and listed in kinds.FIELDS.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from engine.features.documents.kinds import KINDS
from engine.features.documents.templates import SHIPPED

TITLE_FONT, BODY_FONT = "方正小标宋简体", "仿宋_GB2312"
RED = RGBColor(0xE6, 0x00, 0x12)


def write_all(folder: Path = SHIPPED) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS.values():
        layout(kind.table).save(str(folder / f"{kind.code}.docx"))


def layout(table: bool) -> DocumentObject:
    document = Document()
    _page(document)
    _line(document, "{{ issuer }}", font=TITLE_FONT, size=22, colour=RED, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(_line(document, "{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER))
    _line(document, "")
    _line(document, "{{ title }}", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _line(document, "")
    _line(document, "{{ addressee }}：")
    _line(document, "{{ body }}", indent=True)
    if table:
        _rows(document)
    for _ in range(3):  # room for the seal, over the office's name and the date
        _line(document, "")
    _line(document, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _line(document, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    return document


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)


def _line(document: DocumentObject, text: str, *, font: str = BODY_FONT, size: float = 16,
          colour: RGBColor | None = None, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
          indent: bool = False) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    form = paragraph.paragraph_format
    form.line_spacing_rule, form.line_spacing, form.space_after = WD_LINE_SPACING.EXACTLY, Pt(28), Pt(0)
    if indent:
        form.first_line_indent = Pt(size * 2)
    run = paragraph.add_run(text)  # one run: docxtpl finds a field only whole within a run
    run.font.name, run.font.size, run.bold = font, Pt(size), colour is not None
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if colour is not None:
        run.font.color.rgb = colour
    return paragraph


def _red_rule(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", "18"), ("space", "6"), ("color", "E60012")):
        bottom.set(qn(f"w:{name}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _rows(document: DocumentObject) -> None:
    """A two-column form, one row per item (docxtpl repeats the middle row for each of `rows`)."""
    table = document.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    texts = (("{%tr for row in rows %}", ""), ("{{ row.label }}", "{{ row.value }}"), ("{%tr endfor %}", ""))
    for cells, (label, value) in zip(table.rows, texts, strict=True):
        for cell, text, width in ((cells.cells[0], label, 38), (cells.cells[1], value, 118)):
            cell.width = Mm(width)
            run = cell.paragraphs[0].add_run(text)
            run.font.name, run.font.size = BODY_FONT, Pt(14)
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


if __name__ == "__main__":
    write_all()
