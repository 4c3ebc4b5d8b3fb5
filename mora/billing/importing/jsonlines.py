"""JSON lines for the nightly hand-over: one object per line with the same keys as the columns
of the import formats (docs/importacion.md). Converted, line by line, into a CSV file that the
ordinary import then reads, so both paths share every check and every error message."""

import csv
import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path


class JsonLinesError(ValueError):
    """The file is not JSON lines; the message says where, in Spanish."""


def jsonlines_to_csv(lines: Iterable[bytes], *, name: str) -> Path:
    """Write the objects of `lines` as a `;`-separated UTF-8 CSV in a temporary file and return
    its path (named like the original, with .csv). Keys must be the same on every line."""
    directory = Path(tempfile.mkdtemp(prefix="mora-jsonl-"))
    target = directory / (Path(name).stem + ".csv")
    try:
        _write_csv(lines, target)
    except JsonLinesError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return target


def _write_csv(lines: Iterable[bytes], target: Path) -> None:
    columns: list[str] | None = None
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for number, raw in enumerate(lines, start=1):
            try:
                text = (raw.decode("utf-8") if isinstance(raw, bytes) else raw).strip()
                row = json.loads(text) if text else None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise JsonLinesError(f"Línea {number}: no es JSON en UTF-8 válido ({exc}).") from exc
            if row is None:
                continue
            if not isinstance(row, dict):
                raise JsonLinesError(f"Línea {number}: se esperaba un objeto JSON.")
            if columns is None:
                columns = list(row)
                writer.writerow(columns)
            elif set(row) != set(columns):
                raise JsonLinesError(f"Línea {number}: las claves no coinciden con las de la primera línea.")
            # Amounts and dates go as text, exactly as sent: the import parses them.
            writer.writerow(["" if row[key] is None else str(row[key]) for key in columns])
    if columns is None:
        raise JsonLinesError("El archivo está vacío.")
