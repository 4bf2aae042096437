"""Helpers every format module shares: checked table/JSON reading and value parsing.

They turn the usual ways a file goes wrong (bad encoding, missing columns, a word where a number
belongs) into one :class:`AnnotationError` naming the file, the row and the field.
"""
from __future__ import annotations

import gzip
import io
import json
import math
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence, Union

import pandas as pd

from ..errors import AnnotationError

PathLike = Union[str, Path]


def read_bytes(path: PathLike) -> bytes:
    """A file's bytes, gunzipped when it ends in ``.gz`` (ELAN files are often kept compressed); a missing
    file or a folder is one clear error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AnnotationError(path, None, "file", "no such file") from None
    except IsADirectoryError:
        raise AnnotationError(path, None, "file", "is a folder, expected a file") from None
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except OSError as exc:
            raise AnnotationError(path, None, "file", f"not a gzip file ({exc})") from None
    return data


def read_text(path: PathLike) -> str:
    """The file's text, UTF-8 with or without byte-order mark; a clear error for anything else."""
    path = Path(path)
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise AnnotationError(path, f"line {line}", "encoding",
                              f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
                              ) from None
    if not text.strip():
        raise AnnotationError(path, None, "file", "is empty")
    return text


def read_json(path: PathLike) -> Any:
    """Parse a JSON file; syntax errors name the line and column."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnnotationError(path, f"line {exc.lineno}", "json",
                              f"invalid JSON: {exc.msg} (column {exc.colno})") from None


def read_table(path: PathLike, columns: Sequence[str], sep: str = ",", header: bool = True,
               dtype: Any = str) -> pd.DataFrame:
    """Read a delimited table as strings and check that ``columns`` are all there.

    With ``header=False`` the first line is skipped (NurViD's ``path-label`` / ``path-lable``
    headers do not name the two space-separated columns) and ``columns`` name them in order.
    Row numbers in later errors are file line numbers (``row_line``).
    """
    text = read_text(path)
    try:
        if header:
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=dtype, keep_default_na=False,
                             skipinitialspace=True)
            df.columns = [str(c).strip() for c in df.columns]
            missing = [c for c in columns if c not in df.columns]
            if missing:
                raise AnnotationError(path, "line 1", missing[0],
                                      f"missing column (header has {', '.join(map(str, df.columns))})")
        else:
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=dtype, keep_default_na=False,
                             header=None, skiprows=1, names=list(columns), index_col=False)
    except pd.errors.ParserError as exc:
        raise AnnotationError(path, None, "table", f"cannot parse: {str(exc).strip()}") from None
    except pd.errors.EmptyDataError:
        raise AnnotationError(path, None, "file", "has no rows") from None
    return df


def row_line(index: int, header_lines: int = 1) -> str:
    """The file line of DataFrame row ``index`` (1-based, after the header)."""
    return f"line {index + 1 + header_lines}"


def parse_float(value: Any, path: PathLike, record: str, field: str) -> float:
    """A finite number, or an error naming where the bad value is."""
    if isinstance(value, bool):
        raise AnnotationError(path, record, field, "expected a number", value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnnotationError(path, record, field, "expected a number", value) from None
    if not math.isfinite(number):
        raise AnnotationError(path, record, field, "expected a finite number", value)
    return number


def parse_int(value: Any, path: PathLike, record: str, field: str, minimum: Optional[int] = None) -> int:
    """An integer (``3`` or ``"3"``, not ``3.5``), optionally at least ``minimum``."""
    if isinstance(value, bool):
        raise AnnotationError(path, record, field, "expected an integer", value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise AnnotationError(path, record, field, "expected an integer", value) from None
    if minimum is not None and number < minimum:
        raise AnnotationError(path, record, field, f"must be >= {minimum}", value)
    return number


def parse_segment(value: Any, path: PathLike, record: str, field: str = "segment") -> List[float]:
    """A ``[start, end]`` pair of numbers."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise AnnotationError(path, record, field, "expected [start, end]", value)
    # numbers keep their JSON type (an int stays an int) so that files round-trip byte for byte
    numbers = [parse_float(v, path, record, field) for v in value]
    return [v if isinstance(v, int) and not isinstance(v, bool) else n for v, n in zip(value, numbers)]


def require(mapping: Any, key: str, path: PathLike, record: str, kind: type = object) -> Any:
    """``mapping[key]``, with errors for a missing key or a value of the wrong JSON type."""
    if not isinstance(mapping, dict):
        raise AnnotationError(path, record, key, "expected an object", mapping)
    if key not in mapping:
        raise AnnotationError(path, record, key, "missing field")
    value = mapping[key]
    if kind is not object and not isinstance(value, kind):
        names = {dict: "an object", list: "a list", str: "a string"}
        raise AnnotationError(path, record, key, f"expected {names.get(kind, kind.__name__)}", value)
    return value


def format_number(value: Union[int, float, None]) -> str:
    """Shortest text for a time: ``10`` for 10.0, ``11.33`` for 11.33 (as the authors' CSVs write)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def write_lines(handle: Any, lines: Iterable[str], newline: str = "\n") -> None:
    handle.write(newline.join(lines) + newline)
