"""A table's column parsed at once (``parse_column``) gives what the per-value parse gives: the same numbers, or
the same error naming the same line."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from videokit.annotations import AnnotationError
from videokit.annotations.formats._common import parse_class_id, parse_column, parse_float, row_line

CELLS = st.one_of(st.sampled_from(["0", "7", " 12 ", "+3", "-1", "1.5", "2e3", "1e400", "nan", "inf", "", " ",
                                   "1_000", "０", "9999999", "1000000", "0x1F", "3.", ".5", " " * 70 + "1"]),
                  st.text(max_size=8))


def per_value(values, kind):
    if kind == "float":
        return [parse_float(v, "t.csv", row_line(i), "x") for i, v in enumerate(values)]
    return [parse_class_id(v, "t.csv", row_line(i), "x") for i, v in enumerate(values)]


def outcome(parse):
    try:
        return "ok", parse()
    except AnnotationError as exc:
        return "error", str(exc)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=6), st.sampled_from(["float", "class_id"]))
def test_a_column_parses_as_its_values_do(values, kind):
    assert outcome(lambda: parse_column(values, "t.csv", "x", kind)) == outcome(lambda: per_value(values, kind))
