"""A 100 KB field, in any field of any format, answers in well under a second.

Every reader is linear in its file: no pattern that backtracks over a long id or path, no loop over a chain
that a file can make long. Each seed has each of its fields (JSON strings and keys, XML attributes and texts,
CSV cells, list words; the first few distinct ones of each kind) replaced in turn by 100 KB of text chosen
to hurt a careless pattern: the read must end within a second, in one of the allowed outcomes.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from videokit.annotations import AnnotationError, read_annotations

from ..conftest import REAL, SHARED
from . import outcome, seeds

LIMIT_S = 1.0
#: the read, then the allowed outcome's writes and read-backs (the largest seed reads in 0.2 s)
CYCLE_LIMIT_S = 5.0
KB100 = 100_000
HOSTILE = ["/" * KB100 + "a.mp4", "(" * KB100, "a" * KB100 + "!", "vk_0_" + "1" * KB100, "step=" + " " * KB100 + "x",
           "0," * (KB100 // 2), "_1" * (KB100 // 2) + ".mp4"]
FIELDS_PER_SEED = 24

pytestmark = pytest.mark.skipif(not REAL.is_dir() or not (SHARED / "interop_samples").is_dir(),
                                reason=f"the real files are not beside the checkout ({SHARED})")


@pytest.fixture(scope="module")
def all_seeds(tmp_path_factory) -> List[seeds.Seed]:
    return seeds.build(tmp_path_factory.mktemp("seeds"))


def _json_variants(text: str) -> Iterator[str]:
    tree = json.loads(text)
    stack, places = [(tree, ())], []
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if isinstance(value, str):
                places.append((path, key))
            elif isinstance(value, (dict, list)):
                stack.append((value, path + (key,)))
    seen, picked = set(), []
    for path, key in places:  # one per distinct field name, first seen first
        name = key if isinstance(key, str) else "[]"
        if name not in seen:
            seen.add(name)
            picked.append((path, key))
    for n, (path, key) in enumerate(picked[:FIELDS_PER_SEED]):
        copy = json.loads(text)
        node = copy
        for step in path:
            node = node[step]
        node[key] = HOSTILE[n % len(HOSTILE)]
        yield json.dumps(copy)


def _xml_variants(data: bytes) -> Iterator[str]:
    root = ET.fromstring(data)
    places, seen = [], set()
    for element in root.iter():
        for name in sorted(element.attrib):
            if (element.tag, name) not in seen:
                seen.add((element.tag, name))
                places.append((element.tag, name))
        if (element.text or "").strip() and (element.tag, None) not in seen:
            seen.add((element.tag, None))
            places.append((element.tag, None))
    for n, (tag, name) in enumerate(places[:FIELDS_PER_SEED]):
        copy = ET.fromstring(data)
        element = next(copy.iter(tag))
        if name is None:
            element.text = HOSTILE[n % len(HOSTILE)]
        else:
            element.set(name, HOSTILE[n % len(HOSTILE)])
        yield ET.tostring(copy, encoding="unicode")


def _csv_variants(text: str) -> Iterator[str]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for r in range(min(2, len(rows))):
        for c in range(len(rows[r])):
            copy = [list(row) for row in rows]
            copy[r][c] = HOSTILE[(r + c) % len(HOSTILE)]
            handle = io.StringIO()
            csv.writer(handle, lineterminator="\n").writerows(copy)
            yield handle.getvalue()


def _lines_variants(text: str) -> Iterator[str]:
    lines = text.splitlines()
    for i in range(min(2, len(lines))):
        for w in range(len(lines[i].split(" "))):
            copy = list(lines)
            words = copy[i].split(" ")
            words[w] = HOSTILE[(i + w) % len(HOSTILE)]
            copy[i] = " ".join(words)
            yield "\n".join(copy) + "\n"


def variants(seed: seeds.Seed) -> Iterator[bytes]:
    import gzip

    raw = gzip.decompress(seed.data) if seed.suffix.endswith(".gz") else seed.data
    if seed.kind == "xml":
        texts = _xml_variants(raw)
    else:
        texts = {"json": _json_variants, "csv": _csv_variants, "lines": _lines_variants}[seed.kind](
            raw.decode("utf-8-sig"))
    for text in texts:
        data = text.encode("utf-8")
        yield gzip.compress(data, mtime=0) if seed.suffix.endswith(".gz") else data


def test_a_100kb_field_answers_within_a_second(all_seeds):
    slow: Dict[str, float] = {}
    count = 0
    for seed in all_seeds:
        for data in variants(seed):
            with tempfile.TemporaryDirectory(prefix="vk-large-") as tmp:
                folder = Path(tmp)
                path = seeds.materialize(seed, data, folder)
                (folder / "work").mkdir()
                began = time.perf_counter()
                try:
                    read_annotations(path, seed.fmt, **seed.options)
                except AnnotationError:
                    pass
                read = time.perf_counter() - began
                outcome.check(seed.fmt, path, dict(seed.options), folder / "work")  # and the write / read-back
                cycle = time.perf_counter() - began
            count += 1
            if read > LIMIT_S or cycle > CYCLE_LIMIT_S:
                slow[f"{seed.name} variant {count}"] = (round(read, 2), round(cycle, 2))
    assert count > 300
    assert not slow, slow
