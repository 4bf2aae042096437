"""Helpers every format module shares: checked table/JSON reading and value parsing.

They turn the usual ways a file goes wrong (bad encoding, missing columns, a word where a number
belongs) into one :class:`AnnotationError` naming the file, the row and the field.
"""
from __future__ import annotations

import gzip
import io
import json
import math
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import pandas as pd

from ...utils import PathLike, written_bytes
from ..errors import AnnotationError

#: nesting deeper than any real annotation file (theirs are at most 8 deep) is refused, not recursed into
MAX_DEPTH = 64
#: an integer token longer than this is no id, frame or time (Python refuses 4,300 digits; long before that,
#: such a number is a broken file)
MAX_DIGITS = 30
#: class ids are dense slots (a classifier head has max id + 1 of them): a larger id is a broken file
MAX_CLASS_ID = 999_999
#: a number written as text longer than this is not a number any tool writes
MAX_NUMBER_TEXT = 64
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_INTEGER_LIMIT = 10 ** MAX_DIGITS
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def read_bytes(path: PathLike) -> bytes:
    """A file's bytes, gunzipped when it ends in ``.gz`` (ELAN files are often kept compressed); a missing
    file, a folder, or a corrupt or cut-off gzip is one clear error."""
    path = path if isinstance(path, Path) else Path(path)
    data = written_bytes(path)  # a writer's output being read back: the bytes it just wrote
    try:
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        raise AnnotationError(path, None, "file", "no such file") from None
    except IsADirectoryError:
        raise AnnotationError(path, None, "file", "is a folder, expected a file") from None
    except OSError as exc:
        raise AnnotationError(path, None, "file", f"cannot be read ({exc.strerror or exc})") from None
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise AnnotationError(path, None, "file", f"not a whole gzip file ({exc})") from None
    return data


def read_text(path: PathLike) -> str:
    """The file's text, UTF-8 with or without byte-order mark; a clear error for anything else."""
    path = Path(path)
    return _text(read_bytes(path), path)


def _text(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise AnnotationError(path, f"line {line}", "encoding",
                              f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
                              ) from None
    if not text or text.isspace():  # (not strip(): that copies the whole text)
        raise AnnotationError(path, None, "file", "is empty")
    return text


class _BadToken(ValueError):
    def __init__(self, token: str, message: str) -> None:
        super().__init__(message)
        self.token, self.message = token, message


def _json_int(token: str) -> int:
    if len(token.lstrip("-")) > MAX_DIGITS:
        raise _BadToken(token, f"an integer of {len(token.lstrip('-'))} digits")
    return int(token)


def _json_float(token: str) -> float:
    number = float(token)
    if not math.isfinite(number):
        raise _BadToken(token, f"{token[:20]} does not fit a number")
    return number


def _json_constant(token: str) -> float:
    raise _BadToken(token, f"{token} is not a JSON number")


def _line_of(text: str, index: int) -> str:
    return f"line {text.count(chr(10), 0, max(index, 0)) + 1}"


def read_json(path: PathLike) -> Any:
    """Parse a JSON file strictly: syntax errors name the line and column; ``NaN`` / ``Infinity``, numbers
    that do not fit a float, integers of more than :data:`MAX_DIGITS` digits, nesting deeper than
    :data:`MAX_DEPTH` and text no file can hold (a lone UTF-16 surrogate) are each one error."""
    path = Path(path)
    data = read_bytes(path)
    return parse_json(_text(data, path), path, plain_numbers(data))


#: digits -> 0 and E -> e: the shapes of a JSON text's numbers, for :func:`plain_numbers`
_NUMBER_SHAPES = bytes.maketrans(b"123456789E", b"000000000e")


def plain_numbers(data: bytes) -> bool:
    """Whether no number in the JSON text ``data`` can fail :func:`read_json`'s number checks: no run of more
    than :data:`MAX_DIGITS` digits, no digit followed by an exponent of three digits or more (below both, a
    number is under 1e130) and no ``NaN`` / ``Infinity``, anywhere in the text (strings too: where one shows,
    each number is checked). Then the decoder's own int and float parsing gives the same values, without a call
    per number."""
    shapes = data.translate(_NUMBER_SHAPES)
    return (b"0" * (MAX_DIGITS + 1) not in shapes and b"0e000" not in shapes and b"0e+000" not in shapes
            and b"NaN" not in data and b"Infinity" not in data)


def parse_json(text: str, path: PathLike, plain: bool = False) -> Any:
    """:func:`read_json`'s checks on JSON text that is not a file (a request body; ``path`` names it).
    ``plain``: :func:`plain_numbers` holds for the text's bytes (the numbers need no check each)."""
    try:
        data = (json.loads(text) if plain else
                json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant))
    except json.JSONDecodeError as exc:
        raise AnnotationError(path, f"line {exc.lineno}", "json",
                              f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except _BadToken as exc:
        raise AnnotationError(path, _line_of(text, text.find(exc.token[:MAX_DIGITS + 2])), "json",
                              f"invalid number: {exc.message}") from None
    except RecursionError:
        raise AnnotationError(path, None, "json", f"nested deeper than {MAX_DEPTH} levels") from None
    _check_tree(data, path, bool(_LONE_SURROGATE_ESCAPE.search(text)))
    return data


def _within_depth(data: Any) -> bool:
    """Whether no list or object is nested deeper than :data:`MAX_DEPTH`: one level of the tree at a time,
    no path kept (the walk of :func:`_check_tree` names where, for the rare file that fails)."""
    level = [data] if type(data) in (dict, list) else []
    for _ in range(MAX_DEPTH):
        level = [value for node in level for value in (node.values() if type(node) is dict else node)
                 if type(value) is dict or type(value) is list]
        if not level:
            return True
    return False


def _check_tree(data: Any, path: PathLike, strings: bool) -> None:
    """Depth (and, where the text escapes a surrogate, every string's encodability), walked iteratively; an
    error names the record (the path to the object) and the field (its key)."""
    if not strings and _within_depth(data):
        return
    stack = [(data, 1, "top", "json")]
    while stack:
        node, depth, record, name = stack.pop()
        if depth > MAX_DEPTH:
            raise AnnotationError(path, record, name, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, str):
            _encodable(node, path, record, name)
            continue
        if not isinstance(node, (dict, list)):  # a scalar at the top
            continue
        joined = f"{record}{name}" if name.startswith("[") else f"{record}.{name}"
        where = record if name == "json" or len(record) > 200 else joined
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if strings and isinstance(key, str):
                _encodable(key, path, where, "key")
            if isinstance(value, (dict, list)) or (strings and isinstance(value, str)):
                stack.append((value, depth + 1, where, key[:40] if isinstance(key, str) else f"[{key}]"))


def _encodable(text: str, path: PathLike, record: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AnnotationError(path, record, field, f"text no file can hold (a lone surrogate "
                                                   f"U+{ord(text[exc.start]):04X})") from None


def parse_xml(data: bytes, path: PathLike, what: str) -> "ET.Element":
    """An XML document's root; broken XML, an unknown or wrong declared encoding and entity bombs (expat refuses
    them) are each one error naming the line."""
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise AnnotationError(path, f"line {exc.position[0]}", "xml", f"not {what}: {exc}") from None
    except (LookupError, ValueError, UnicodeError) as exc:  # encoding="bogus", or bytes that are not it
        raise AnnotationError(path, "line 1", "xml", f"not {what}: {exc}") from None


def read_table(path: PathLike, columns: Sequence[str], sep: str = ",", dtype: Any = str) -> pd.DataFrame:
    """Read a delimited table with a header line as strings and check that ``columns`` are all there and
    that every row has a value for each of them. Row numbers in later errors are file line numbers
    (``row_line``)."""
    text = read_text(path)
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=dtype, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise AnnotationError(path, None, "table", f"cannot parse: {str(exc).strip()}") from None
    except pd.errors.EmptyDataError:
        raise AnnotationError(path, None, "file", "has no rows") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AnnotationError(path, "line 1", missing[0],
                              f"missing column (header has {', '.join(map(str, df.columns))})")
    short = df[list(columns)].isna().any(axis=1) if columns else None
    if short is not None and short.any():
        index = int(short.to_numpy().argmax())
        column = next(c for c in columns if pd.isna(df[c].iat[index]))
        raise AnnotationError(path, row_line(index), column, "missing value (the row has fewer fields than the header)")
    return df


def row_line(index: int, header_lines: int = 1) -> str:
    """The file line of DataFrame row ``index`` (1-based, after the header)."""
    return f"line {index + 1 + header_lines}"


def parse_float(value: Any, path: PathLike, record: str, field: str) -> float:
    """A finite number: a JSON / XML / CSV number or its plain decimal text (``"3.5"``, ``"1e3"``; not
    ``"nan"``, ``"1_000"`` or other digits than ASCII), or an error naming where the bad value is."""
    if isinstance(value, bool):
        raise AnnotationError(path, record, field, "expected a number", value)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise AnnotationError(path, record, field, "number too large", value) from None
    elif isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT and _NUMBER_TEXT.fullmatch(value.strip()):
        number = float(value.strip())  # str.strip removes more than float() accepts (0x1C-0x1F)
    else:
        raise AnnotationError(path, record, field, "expected a number", value)
    if not math.isfinite(number):
        raise AnnotationError(path, record, field, "expected a finite number", value)
    return number


def parse_number(value: Any, path: PathLike, record: str, field: str) -> Union[int, float]:
    """A finite number that keeps its JSON type (an int stays an int, so files round-trip byte for byte); text
    becomes a float."""
    number = parse_float(value, path, record, field)
    return value if isinstance(value, int) and not isinstance(value, bool) else number


def parse_int(value: Any, path: PathLike, record: str, field: str, minimum: Optional[int] = None) -> int:
    """An integer (``3``, ``3.0`` or ``"3"``; not ``3.5``, ``"1_000"`` or one of more than :data:`MAX_DIGITS`
    digits), optionally at least ``minimum``."""
    if type(value) is str and 0 < len(value) <= 9 and value.isascii() and value.isdigit():
        number = int(value)  # the usual id or frame: ASCII digits only, nothing to strip
    elif isinstance(value, bool):
        raise AnnotationError(path, record, field, "expected an integer", value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT and _INTEGER_TEXT.fullmatch(value.strip()):
        number = int(value.strip())  # str.strip removes more than int() accepts (0x1C-0x1F)
    else:
        raise AnnotationError(path, record, field, "expected an integer", value)
    if abs(number) >= _INTEGER_LIMIT:
        raise AnnotationError(path, record, field, "integer too large", value)
    if minimum is not None and number < minimum:
        raise AnnotationError(path, record, field, f"must be >= {minimum}", value)
    return number


def parse_class_id(value: Any, path: PathLike, record: str, field: str, first: int = 0) -> int:
    """A class id (counted from ``first``: NurViD's files count from 1) of at most :data:`MAX_CLASS_ID`."""
    number = parse_int(value, path, record, field, minimum=first)
    if number > MAX_CLASS_ID + first:
        raise AnnotationError(path, record, field, f"class id above {MAX_CLASS_ID + first}", value)
    return number


_CLASS_ID_COLUMN = r"[+-]?[0-9]{1,7}"  # ids short enough that one min / max checks them
#: a whole column in one match: its texts joined by NUL (which none of these patterns takes)
_NUMBER_COLUMN = re.compile(f"(?:{_NUMBER_TEXT.pattern}\0)*{_NUMBER_TEXT.pattern}")
_CLASS_ID_ROWS = re.compile(f"(?:{_CLASS_ID_COLUMN}\0)*{_CLASS_ID_COLUMN}")


def _each(pattern: "re.Pattern[str]", texts: List[str]) -> bool:
    """Whether every text is one whole match of ``pattern``'s item (an empty column: yes)."""
    if not texts:
        return True
    joined = "\0".join(texts)
    return joined.count("\0") == len(texts) - 1 and pattern.fullmatch(joined) is not None


def parse_column(values: Sequence[str], path: PathLike, field: str, kind: str = "float", first: int = 0,
                 header_lines: int = 1) -> List[Any]:
    """:func:`parse_float` (``kind="float"``) or :func:`parse_class_id` (``"class_id"``) over a table's column of
    texts, row ``i`` on file line :func:`row_line`: the column is checked in one pass, and the per-value parse runs
    only where that pass finds a value it does not take, for that value's error (the result is the same)."""
    values = list(values)
    plain = all(type(v) is str and len(v) <= MAX_NUMBER_TEXT for v in values)  # as the per-value parse asks
    texts = [v.strip() for v in values] if plain else []
    if kind == "float":
        if plain and _each(_NUMBER_COLUMN, texts):
            numbers = [float(t) for t in texts]
            if all(map(math.isfinite, numbers)):
                return numbers
        return [parse_float(v, path, row_line(i, header_lines), field) for i, v in enumerate(values)]
    if plain and _each(_CLASS_ID_ROWS, texts):
        ids = [int(t) for t in texts]
        if not ids or (min(ids) >= first and max(ids) <= MAX_CLASS_ID + first):
            return ids
    return [parse_class_id(v, path, row_line(i, header_lines), field, first) for i, v in enumerate(values)]


def parse_segment(value: Any, path: PathLike, record: str, field: str = "segment") -> List[Union[int, float]]:
    """A ``[start, end]`` pair of numbers (each keeps its JSON type)."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise AnnotationError(path, record, field, "expected [start, end]", value)
    return [parse_number(v, path, record, field) for v in value]


_KINDS = {dict: "an object", list: "a list", str: "a string"}


def require(mapping: Any, key: str, path: PathLike, record: str, kind: type = object) -> Any:
    """``mapping[key]``, with errors for a missing key or a value of the wrong JSON type."""
    if not isinstance(mapping, dict):
        raise AnnotationError(path, record, key, "expected an object", mapping)
    if key not in mapping:
        raise AnnotationError(path, record, key, "missing field")
    value = mapping[key]
    if kind is not object and not isinstance(value, kind):
        raise AnnotationError(path, record, key, f"expected {_KINDS.get(kind, kind.__name__)}", value)
    return value


def optional(mapping: Any, key: str, path: PathLike, record: str, kind: type = object, default: Any = None) -> Any:
    """``mapping[key]`` where it is there and not null, else ``default``; a value of the wrong JSON type is one
    error (``kind``: dict, list, str, or object for any)."""
    if not isinstance(mapping, dict):
        raise AnnotationError(path, record, key, "expected an object", mapping)
    value = mapping.get(key)
    if value is None:
        return default
    if kind is not object and not isinstance(value, kind):
        raise AnnotationError(path, record, key, f"expected {_KINDS.get(kind, kind.__name__)}", value)
    return value


def optional_float(mapping: Any, key: str, path: PathLike, record: str) -> Optional[Union[int, float]]:
    """A number field that may be missing or null (durations, frame rates), parsed (JSON type kept)."""
    value = optional(mapping, key, path, record)
    return None if value is None else parse_number(value, path, record, key)


def as_text(value: Any, path: PathLike, record: str, field: str, numbers: bool = False) -> str:
    """A string (with ``numbers``: a JSON integer too, as its digits: ids written as numbers)."""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise AnnotationError(path, record, field, "expected a string", value)


def as_object(value: Any, path: PathLike, record: str, field: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise AnnotationError(path, record, field, "expected an object", value)
    return value


def as_list(value: Any, path: PathLike, record: str, field: str) -> List[Any]:
    if not isinstance(value, list):
        raise AnnotationError(path, record, field, "expected a list", value)
    return value


#: the largest frame (or millisecond) count a writer puts in a tool's file: ten years at 1,000 per second
MAX_TICKS = 10 ** 12


def ticks(seconds: float, rate: float, path: PathLike, record: str, field: str = "time") -> int:
    """``seconds`` as a whole count at ``rate`` per second (frames, milliseconds), for a writer: a time that no
    such count holds (1e308 s) is one error naming the segment, not an overflow."""
    count = seconds * rate
    if not math.isfinite(count) or abs(count) > MAX_TICKS:
        raise AnnotationError(path, record, field, f"{seconds} s is beyond what this format's counts hold", seconds)
    return int(round(count))


def format_number(value: Union[int, float, None]) -> str:
    """Shortest text for a time: ``10`` for 10.0, ``11.33`` for 11.33 (as the authors' CSVs write)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)
