"""Spreadsheet export of any list: streamed row by row (XlsxWriter constant-memory mode) into
a temporary file, so exporting the whole portfolio does not hold it in memory."""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone


def xlsx_response(
    *, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence], title: str = ""
) -> FileResponse:
    # The response closes the file when it has been sent, so no context manager here.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE7F5", "border": 1})
    money = workbook.add_format({"num_format": "#,##0.00"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    moment = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    first_row = 0
    if title:
        worksheet.write(0, 0, title, workbook.add_format({"bold": True, "font_size": 13}))
        worksheet.write(1, 0, f"Generado el {timezone.localtime():%d/%m/%Y %H:%M}")
        first_row = 3
    for col, header in enumerate(headers):
        worksheet.write(first_row, col, header, bold)
        worksheet.set_column(col, col, max(12, min(40, len(header) + 4)))
    for row_index, row in enumerate(rows, start=first_row + 1):
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                # Excel stores numbers as binary floating point; the cell shows 2 decimals.
                worksheet.write_number(row_index, col, float(value), money)
            elif isinstance(value, datetime):
                worksheet.write_datetime(row_index, col, timezone.localtime(value).replace(tzinfo=None), moment)
            elif isinstance(value, date):
                worksheet.write_datetime(row_index, col, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, bool):
                worksheet.write_string(row_index, col, "Sí" if value else "No")
            elif value is None:
                continue
            else:
                worksheet.write(row_index, col, value)
    worksheet.freeze_panes(first_row + 1, 0)
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
