"""Read the billing system's extracts row by row, in bounded memory.

A file is opened by a callable returning a fresh binary stream, so each pass (encoding scan,
validation, writing) reads it from the start without holding it in memory. Every cell comes out
as text: XLSX numbers and dates are turned into the same text a CSV would carry, so that the
validation in formats.py has one input type.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import BinaryIO

Opener = Callable[[], BinaryIO]

SCAN_CHUNK = 1024 * 1024
# cp1252 leaves these five bytes undefined; a file that has them is read as plain Latin-1.
CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))


class FileFormatError(Exception):
    """The whole file cannot be read (encoding, structure, header). The message is for users."""


@dataclass(frozen=True)
class TableInfo:
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    approx_rows: int = 0  # data rows, estimated before reading (for the progress bar)


def inspect_file(opener: Opener) -> TableInfo:
    """Decide how to read the file: XLSX by its signature, otherwise a CSV whose encoding is
    found by scanning all its bytes once (a Latin-1 letter may appear only on the last row)."""
    with opener() as stream:
        head = stream.read(8)
        if not head:
            raise FileFormatError("El archivo está vacío.")
        if head.startswith(b"PK\x03\x04"):
            return TableInfo(format="xlsx", approx_rows=_xlsx_approx_rows(opener))
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileFormatError(
                "El archivo es un libro de Excel antiguo (.xls). Guárdelo como Excel (.xlsx) o como CSV."
            )
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FileFormatError(
                "El archivo está codificado en UTF-16. Guárdelo como «CSV UTF-8» o CSV (Latin-1 / Windows-1252)."
            )
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8_ok = True
        cp1252_ok = True
        newlines = 0
        first = True
        last_byte = b""
        while chunk := stream.read(SCAN_CHUNK):
            if b"\x00" in chunk:
                raise FileFormatError(
                    "El archivo contiene bytes nulos: no es un CSV de texto (¿UTF-16 o un archivo binario?). "
                    "Guárdelo como «CSV UTF-8» o como Excel (.xlsx)."
                )
            if first:
                controls = len(chunk) - len(chunk.translate(None, CONTROL_BYTES))
                if controls > max(5, len(chunk) // 100):
                    raise FileFormatError("El archivo no es un CSV de texto ni un Excel (.xlsx).")
                first = False
            newlines += chunk.count(b"\n")
            last_byte = chunk[-1:]
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_ok and any(b in chunk for b in CP1252_UNDEFINED):
                cp1252_ok = False
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    encoding = "utf-8-sig" if utf8_ok else ("cp1252" if cp1252_ok else "latin-1")
    if last_byte != b"\n":
        newlines += 1  # the last line has no line break
    return TableInfo(
        format="csv",
        encoding=encoding,
        delimiter=_sniff_delimiter(opener, encoding),
        approx_rows=max(0, newlines - 1),
    )


def _sniff_delimiter(opener: Opener, encoding: str) -> str:
    """The header row decides: column names never contain `;` or `,`, so whichever appears
    more often there separates the columns (Excel in Spanish writes `;`)."""
    with opener() as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        header = text.readline()
        text.detach()
    return ";" if header.count(";") >= header.count(",") and header.count(";") > 0 else ","


def iter_rows(opener: Opener, info: TableInfo) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number as the spreadsheet shows it, header = 1, cells as stripped text)."""
    if info.format == "xlsx":
        yield from _iter_xlsx(opener)
    else:
        yield from _iter_csv(opener, info)


def _iter_csv(opener: Opener, info: TableInfo) -> Iterator[tuple[int, list[str]]]:
    with opener() as stream:
        text = io.TextIOWrapper(stream, encoding=info.encoding, newline="")
        reader = csv.reader(text, delimiter=info.delimiter)
        row_number = 0
        try:
            for row_number, row in enumerate(reader, start=1):  # noqa: B007 - used in the except
                yield row_number, [cell.strip() for cell in row]
        except csv.Error as exc:
            raise FileFormatError(f"El CSV está mal formado cerca de la fila {row_number + 1}: {exc}.") from exc
        finally:
            text.detach()


def _xlsx_approx_rows(opener: Opener) -> int:
    try:
        workbook, stream = _load_xlsx(opener)
        try:
            sheet = workbook.worksheets[0]
            return max(0, (sheet.max_row or 1) - 1)
        finally:
            workbook.close()
            stream.close()
    except FileFormatError:
        raise
    except Exception:  # noqa: BLE001 - the dimension is only a hint for the progress bar
        return 0


def _load_xlsx(opener: Opener):
    import openpyxl  # imported here: only XLSX files need it

    stream = opener()
    try:
        return openpyxl.load_workbook(stream, read_only=True, data_only=True), stream
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        stream.close()
        raise FileFormatError("El archivo .xlsx está dañado o no es un libro de Excel válido.") from exc


def _iter_xlsx(opener: Opener) -> Iterator[tuple[int, list[str]]]:
    workbook, stream = _load_xlsx(opener)
    try:
        if not workbook.worksheets:
            raise FileFormatError("El libro de Excel no tiene hojas.")
        sheet = workbook.worksheets[0]
        for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield row_number, [cell_text(value) for value in row]
    finally:
        workbook.close()
        stream.close()


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would have (Bolivian date order)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "si" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        # Through repr: the shortest text that gives back the same float, so 1234.5 stays
        # "1234.5" and never becomes 1234.4999...; an integral value loses its ".0".
        number = Decimal(repr(value))
        if number == number.to_integral_value():
            return str(int(number))
        return format(number, "f")
    return str(value).strip()
