"""Reading and checking the billing system's extracts (no database here).

- readers: CSV (UTF-8 or Latin-1/cp1252, `;` or `,`) and XLSX, streamed row by row.
- formats: the columns of each kind of file and the checks of one row.
The writes are in mora.billing.services (import_job_create, import_job_run).
"""

from .formats import RowIssue, detect_kind
from .readers import FileFormatError, TableInfo, inspect_file, iter_rows

__all__ = ["FileFormatError", "RowIssue", "TableInfo", "detect_kind", "inspect_file", "iter_rows"]
