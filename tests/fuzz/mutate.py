"""Structure-aware mutations of a seed: what a script, an older tool version or a full disk does to a file.

Each mutator parses the seed as what it is (a JSON tree, an XML document, CSV rows, list lines), applies one to
three edits drawn by Hypothesis (a key or element deleted, a value of another type, a number out of range, a
string no tool would write, a row duplicated, a header column lost), serializes it, and sometimes breaks the
bytes too (cut short, another encoding, a broken XML declaration, a corrupt gzip). Values that JSON cannot
hold as Python objects (``NaN``, ``1e999``, an integer of 5,000 digits, a lone surrogate, nesting 5,000
deep) are spliced into the text as raw tokens.
"""
from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET
from typing import Any, List, Tuple

from hypothesis import strategies as st

#: raw JSON tokens: valid to Python's parser, but no number / text a file should carry
RAW_TOKENS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" * 5000, "-" + "9" * 400, "1e-400",
              '"\\ud800"', '"\\udfff x"', '"a\\u0000b"', "[" * 3000 + "]" * 3000, '{"a":' * 2000 + "1" + "}" * 2000,
              "123456789012345678901234567890", "0.1e-5", "-0"]

#: texts no annotation tool writes, but a script or a person might
NASTY_TEXT = ["", " ", "x", "-1", "0", "3.5", "1e308", "nan", "inf", "-inf", "1_000", "\u0661\u0662", " 7 ", "0x10",
              "a" * 100_000, "(" * 50_000, "vk_0_" + "9" * 5000, "0," * 20_000, "\x00", "\x01\x02", "\u202e\u0645",
              "\U0001F600", "../../etc/passwd", "/" * 10_000 + "a.mp4", "a/b\\c:d*e?f", "<tag>", "&amp;", "]]>",
              "\r\n", "1" * 5000, "1,2,3", "None", "null", "true", "ts1", "a1", "procedure", "action",
              "videokit.canonical", "9" * 30, "-0", "1e-400", "NaN"]

NASTY_JSON = [None, True, False, 0, -1, 1, 2 ** 63, 2 ** 70, -(2 ** 63), 3.5, -1e-9, 1e308, 1.7976931348623157e308, "",
              "x", "3", "-5", [], {}, [1], [1, 2, 3], [[0, 1]], {"a": 1}, {"ranges": [{"start": 1, "end": 2}]}]


def _raw(index: int) -> str:
    return f"@@RAW{index}@@"


# ------------------------------------------------------------------------------------------------------ JSON
def _paths(tree: Any) -> List[Tuple[Any, ...]]:
    """Every path into the tree (keys / indices), iteratively; the root is ``()``."""
    out, stack = [], [((), tree)]
    while stack:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack.extend((path + (k,), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((path + (i,), v) for i, v in enumerate(node))
    return out


def _get(tree: Any, path: Tuple[Any, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


@st.composite
def json_edit(draw: st.DrawFn, text: str) -> str:
    tree = json.loads(text)
    raws: List[str] = []
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        op = draw(st.sampled_from(["delete", "replace", "raw", "text", "number", "rename", "duplicate", "swap",
                                   "empty", "reuse", "reuse"]))
        if not path:
            op = "replace" if op in ("delete", "rename", "duplicate", "swap") else op
        value = _get(tree, path)
        if op == "replace":  # a copy: the constant's lists and objects must never be edited in place
            new: Any = json.loads(json.dumps(draw(st.sampled_from(NASTY_JSON))))
        elif op == "raw":
            raws.append(draw(st.sampled_from(RAW_TOKENS)))
            new = _raw(len(raws) - 1)
        elif op == "text":
            new = draw(st.sampled_from(NASTY_TEXT))
        elif op == "number":
            number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else 1
            new = draw(st.sampled_from([-number, number * 1000, number + 0.5, number - 1, 0, str(number),
                                        -abs(number) - 1, number * 1e300]))
        elif op == "empty":
            new = type(value)() if isinstance(value, (dict, list, str)) else None
        elif op == "reuse":  # a value of the same file in the wrong place: plausible, and wrong
            new = json.loads(json.dumps(_get(tree, paths[draw(st.integers(0, len(paths) - 1))])))
        else:
            new = value
        if not path:
            tree = new
            continue
        parent, key = _get(tree, path[:-1]), path[-1]
        if op == "delete":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["", "id", "label", "type", key + "x", "ranges", "start"]))] = parent.pop(key)
        elif op == "duplicate":
            if isinstance(parent, list):
                parent.insert(key, json.loads(json.dumps(value)))
            else:
                parent[f"{key}_copy"] = json.loads(json.dumps(value))
        elif op == "swap" and len(parent) > 1:
            keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
            other = keys[draw(st.integers(0, len(keys) - 1))]
            parent[key], parent[other] = parent[other], parent[key]
        else:
            parent[key] = new
    out = json.dumps(tree, indent=draw(st.sampled_from([None, 1])), ensure_ascii=draw(st.booleans()))
    for i, token in enumerate(raws):
        out = out.replace(json.dumps(_raw(i)), token)
    return out


# ------------------------------------------------------------------------------------------------------- XML
@st.composite
def xml_edit(draw: st.DrawFn, data: bytes) -> str:
    root = ET.fromstring(data)
    for _ in range(draw(st.integers(1, 3))):
        parents = {child: parent for parent in root.iter() for child in parent}
        elements = list(root.iter())
        element = elements[draw(st.integers(0, len(elements) - 1))]
        op = draw(st.sampled_from(["delete", "duplicate", "attr-delete", "attr-set", "text", "swap", "tag", "move",
                                   "attr-reuse", "attr-reuse"]))
        parent = parents.get(element)
        if op in ("delete", "duplicate", "swap", "move") and parent is None:
            op = "text"
        if op == "delete":
            parent.remove(element)
        elif op == "duplicate":
            parent.insert(list(parent).index(element), copy.deepcopy(element))  # (text may hold what XML cannot)
        elif op == "attr-delete" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib)))]
        elif op == "attr-set":
            name = draw(st.sampled_from(sorted(element.attrib) or ["id"]))
            element.set(name, draw(st.sampled_from(NASTY_TEXT)))
        elif op == "attr-reuse":  # another attribute's value of the same document: plausible, and wrong
            values = sorted({v for e in elements for v in e.attrib.values()})
            if values and element.attrib:
                element.set(draw(st.sampled_from(sorted(element.attrib))), draw(st.sampled_from(values)))
        elif op == "swap" and len(parent) > 1:
            siblings = list(parent)
            other = siblings[draw(st.integers(0, len(siblings) - 1))]
            i, j = siblings.index(element), siblings.index(other)
            siblings[i], siblings[j] = siblings[j], siblings[i]
            parent[:] = siblings
        elif op == "tag":
            element.tag = draw(st.sampled_from(["TIER", "ANNOTATION", "TIME_SLOT", "track", "box", "tag", "x",
                                                "REF_ANNOTATION", "ALIGNABLE_ANNOTATION", "videokit", "label"]))
        elif op == "move":
            target = elements[draw(st.integers(0, len(elements) - 1))]
            if target is not element and element not in set(target.iter()) and target not in set(element.iter()):
                parent.remove(element)
                target.append(element)
        else:
            element.text = draw(st.sampled_from(NASTY_TEXT))
    declaration = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n', "",
                                        '<?xml version="1.0" encoding="bogus-8"?>\n',
                                        '<?xml version="9.9" encoding="UTF-8"?>\n',
                                        '<?xml version="1.0" encoding="UTF-16"?>\n',
                                        '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                                        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
                                        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;">]>\n']))
    return declaration + ET.tostring(root, encoding="unicode")


# ------------------------------------------------------------------------------------------------ CSV, lines
@st.composite
def csv_edit(draw: st.DrawFn, text: str) -> str:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for _ in range(draw(st.integers(1, 3))):
        if not rows:
            break
        r = draw(st.integers(0, len(rows) - 1))
        row = rows[r]
        op = draw(st.sampled_from(["cell", "cell", "delete-cell", "add-cell", "delete-row", "duplicate-row",
                                   "swap-rows", "header", "reuse", "reuse"]))
        c = draw(st.integers(0, max(len(row) - 1, 0)))
        if op == "cell" and row:
            row[c] = draw(st.sampled_from(NASTY_TEXT))
        elif op == "reuse" and row:  # another cell of the file: plausible, and wrong
            other = rows[draw(st.integers(0, len(rows) - 1))]
            if other:
                row[c] = other[draw(st.integers(0, len(other) - 1))]
        elif op == "delete-cell" and row:
            del row[c]
        elif op == "add-cell":
            row.insert(c, draw(st.sampled_from(NASTY_TEXT)))
        elif op == "delete-row":
            del rows[r]
        elif op == "duplicate-row":
            rows.insert(r, list(row))
        elif op == "swap-rows":
            s = draw(st.integers(0, len(rows) - 1))
            rows[r], rows[s] = rows[s], rows[r]
        elif op == "header" and rows[0]:
            rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(st.sampled_from(["", "video_id", "start", "x"]))
    handle = io.StringIO()
    csv.writer(handle, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    return draw(st.sampled_from(["", "\ufeff"])) + handle.getvalue()


@st.composite
def lines_edit(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        words = lines[i].split(" ")
        op = draw(st.sampled_from(["word", "word", "delete-word", "add-word", "delete-line", "duplicate-line",
                                   "line", "reuse", "reuse"]))
        w = draw(st.integers(0, max(len(words) - 1, 0)))
        if op == "word" and words:
            words[w] = draw(st.sampled_from(NASTY_TEXT))
        elif op == "reuse" and words:  # another word of the file: plausible, and wrong
            other = lines[draw(st.integers(0, len(lines) - 1))].split(" ")
            words[w] = other[draw(st.integers(0, len(other) - 1))]
        elif op == "delete-word" and words:
            del words[w]
        elif op == "add-word":
            words.insert(w, draw(st.sampled_from(NASTY_TEXT)))
        elif op == "delete-line":
            del lines[i]
            continue
        elif op == "duplicate-line":
            lines.insert(i, lines[i])
            continue
        else:
            words = [draw(st.sampled_from(NASTY_TEXT))]
        lines[i] = " ".join(words)
    return "\r\n".join(lines) + "\r\n"


EDITS = {"json": json_edit, "csv": csv_edit, "lines": lines_edit}


# ----------------------------------------------------------------------------------------------------- bytes
@st.composite
def byte_damage(draw: st.DrawFn, data: bytes, compressed: bool) -> bytes:
    """What happens to bytes on their way: cut short (a full disk), another encoding, a flipped byte."""
    op = draw(st.sampled_from(["none", "none", "none", "truncate", "flip", "utf16", "latin1", "bom", "nul"]))
    if op == "truncate" and data:
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif op == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    elif op == "utf16":
        data = data.decode("utf-8", "replace").encode("utf-16")
    elif op == "latin1":
        data = data.decode("utf-8", "replace").encode("latin-1", "replace") + "\u00e9".encode("latin-1")
    elif op == "bom":
        data = b"\xef\xbb\xbf" + data
    elif op == "nul":
        data = data + b"\x00"
    if compressed:
        data = gzip.compress(data, mtime=0)
        gz = draw(st.sampled_from(["ok", "ok", "truncate", "corrupt", "plain"]))
        if gz == "truncate":
            data = data[:draw(st.integers(0, len(data) - 1))]
        elif gz == "corrupt" and len(data) > 12:
            i = draw(st.integers(10, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
        elif gz == "plain":
            data = gzip.decompress(data)
    return data


@st.composite
def mutated(draw: st.DrawFn, seed: Any) -> bytes:
    """One mutation of ``seed`` (a :class:`~tests.fuzz.seeds.Seed`): a structural edit, then maybe byte damage."""
    raw = gzip.decompress(seed.data) if seed.suffix.endswith(".gz") else seed.data
    if seed.kind == "xml":
        text = draw(xml_edit(raw))
    else:
        text = draw(EDITS[seed.kind](raw.decode("utf-8-sig")))
    data = text.encode("utf-8", "surrogatepass")
    return draw(byte_damage(data, seed.suffix.endswith(".gz")))
