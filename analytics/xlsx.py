"""A minimal .xlsx writer: one sheet, inline strings, numbers, booleans; no extra library.

No xlsx library is pinned in this project, and a query result needs none of what they
offer. An .xlsx file is a zip of a few XML parts (ECMA-376, SpreadsheetML); the five
below are the least Excel, LibreOffice and pandas accept. Text goes in as inline strings
(``t="inlineStr"``), so no shared-string table is needed. The header row is bold (one
font in styles.xml) and frozen, and column widths follow the display width of the text.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from analytics.text_table import display_width

SHEET_NAME = "query"
MAX_COLUMN_WIDTH = 60

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

_CONTENT_TYPES = (
    _XML_DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    + '<Default Extension="rels" '
    + 'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + f'<Override PartName="/xl/workbook.xml" ContentType="{_SPREADSHEET_TYPE}.sheet.main+xml"/>'
    + '<Override PartName="/xl/worksheets/sheet1.xml" '
    + f'ContentType="{_SPREADSHEET_TYPE}.worksheet+xml"/>'
    + f'<Override PartName="/xl/styles.xml" ContentType="{_SPREADSHEET_TYPE}.styles+xml"/>'
    + "</Types>"
)

_ROOT_RELS = (
    _XML_DECLARATION
    + f'<Relationships xmlns="{_PACKAGE_RELS_NS}">'
    + f'<Relationship Id="rId1" Type="{_DOCUMENT_RELS_NS}/officeDocument" '
    + 'Target="xl/workbook.xml"/>'
    + "</Relationships>"
)

_WORKBOOK = (
    _XML_DECLARATION
    + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_DOCUMENT_RELS_NS}">'
    + '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
    + "</workbook>"
)

_WORKBOOK_RELS = (
    _XML_DECLARATION
    + f'<Relationships xmlns="{_PACKAGE_RELS_NS}">'
    + f'<Relationship Id="rId1" Type="{_DOCUMENT_RELS_NS}/worksheet" '
    + 'Target="worksheets/sheet1.xml"/>'
    + f'<Relationship Id="rId2" Type="{_DOCUMENT_RELS_NS}/styles" Target="styles.xml"/>'
    + "</Relationships>"
)

# Style 0 is the default; style 1 is bold, for the header row.
_STYLES = (
    _XML_DECLARATION
    + f'<styleSheet xmlns="{_MAIN_NS}">'
    + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    + '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    + '<fill><patternFill patternType="gray125"/></fill></fills>'
    + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    + "</styleSheet>"
)


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _xml_text(text: str) -> str:
    # XML 1.0 forbids most control characters; drop them rather than write a corrupt file.
    cleaned = "".join(char for char in text if char in "\t\n\r" or ord(char) >= 0x20)
    return escape(cleaned)


def _cell_text(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _cell(reference: str, value: object, style: int = 0) -> str:
    style_attr = f' s="{style}"' if style else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"{style_attr}><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{reference}"{style_attr}><v>{_cell_text(value)}</v></c>'
    return (
        f'<c r="{reference}" t="inlineStr"{style_attr}>'
        f'<is><t xml:space="preserve">{_xml_text(_cell_text(value))}</t></is></c>'
    )


def sheet_xml(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The worksheet XML: a bold, frozen header row, then one row per record."""
    widths = [display_width(str(name)) for name in columns]
    for row in rows:
        for index, value in enumerate(row):
            if value is not None:
                widths[index] = max(widths[index], display_width(_cell_text(value)))
    cols = "".join(
        f'<col min="{index + 1}" max="{index + 1}" width="{min(width + 2, MAX_COLUMN_WIDTH)}" '
        'customWidth="1"/>'
        for index, width in enumerate(widths)
    )
    lines = [
        '<row r="1">'
        + "".join(
            _cell(f"{column_letter(index)}1", str(name), style=1)
            for index, name in enumerate(columns)
        )
        + "</row>"
    ]
    for row_number, row in enumerate(rows, start=2):
        cells = "".join(
            _cell(f"{column_letter(index)}{row_number}", value) for index, value in enumerate(row)
        )
        lines.append(f'<row r="{row_number}">{cells}</row>')
    return (
        _XML_DECLARATION + f'<worksheet xmlns="{_MAIN_NS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
        + "".join(lines)
        + "</sheetData></worksheet>"
    )


def write_xlsx(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    sheet_name: str = SHEET_NAME,
) -> None:
    """Write one sheet of ``rows`` under a header of ``columns`` to ``path``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=_xml_text(sheet_name)))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(columns, rows))
