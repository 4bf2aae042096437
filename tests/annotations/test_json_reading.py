"""The strict JSON reading every JSON format shares (``formats._common.read_json``): the decoder's own number
parsing where :func:`plain_numbers` says no number can fail the checks gives what the checked parsing gives."""
from __future__ import annotations

import json
import random

import pytest

from videokit.annotations import AnnotationError, read_annotations, write_annotations
from videokit.annotations.formats._common import parse_json, plain_numbers, read_json


def typed(value):
    """``value`` with each number's type kept beside it (``1 == 1.0 == True`` in Python, not here)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, repr(value))


def outcome(text: str, plain: bool):
    try:
        return "value", typed(parse_json(text, "x.json", plain))
    except AnnotationError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("text", [
    '{"a": 1e400}', '[1E+400]', '[-1e308]', '[0.5e999]', '[1' + '0' * 30 + ']', '[-' + '9' * 31 + '.5]',
    '[NaN]', '{"x": -Infinity}', '{"x": "NaN"}', '[1.7976931348623157e309]',
])
def test_numbers_that_may_fail_a_check_take_the_checked_parsing(text):
    assert not plain_numbers(text.encode())


@pytest.mark.parametrize("text", [
    '[1, -0, 0.5, 1e5, 1E-5, 2.5e+99, 1e-400, 123456789012345678901234567890]',  # 30 digits: an int
    '{"id": "case_0001", "z": [0.0, 12.5], "e": "E15", "n": -12e34}',
    '{"vid": "2_w5UE156K"}',  # a word with E and three digits is no exponent
])
def test_plain_numbers_parse_as_the_checked_parsing_does(text):
    assert plain_numbers(text.encode())
    assert outcome(text, True) == outcome(text, False)
    assert outcome(text, True)[0] == "value"


def random_number(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([1, 2, 5, 17, 29, 30, 31, 40])))
    text = rng.choice(["", "-"]) + digits.lstrip("0") or "0"
    if rng.random() < 0.5:
        text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 35)))
    if rng.random() < 0.4:
        text += rng.choice("eE") + rng.choice(["", "+", "-"]) + str(rng.choice([0, 5, 99, 100, 307, 308, 309, 400]))
    return text


def test_either_parsing_gives_the_same_values_and_errors():
    """Random documents of numbers of every shape (30 / 31 digits, exponents either side of 1e308, NaN): where
    ``plain_numbers`` holds, the values (types too) are the checked parsing's; where it does not, the checked
    parsing runs (a number beyond a check is one error)."""
    rng = random.Random(7)
    plain_seen = checked_seen = 0
    for _ in range(3000):
        items = [random_number(rng) for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.05:
            items.append(rng.choice(["NaN", "Infinity", "-Infinity"]))
        text = json.dumps({"k": "v"})[:-1] + ', "n": [' + ", ".join(items) + "]}"
        if plain_numbers(text.encode()):
            plain_seen += 1
            assert outcome(text, True) == outcome(text, False), text
        else:
            checked_seen += 1
    assert plain_seen > 500 and checked_seen > 500  # both ways were exercised


def test_written_tool_files_take_the_plain_parsing(real_dir, tmp_path):
    """videokit's own JSON outputs of a real set (the tools' and the canonical file) need no per-number check,
    and read the same either way."""
    nurvid = read_annotations(real_dir / "nurvid", "nurvid")
    for fmt in ("labelstudio", "via", "canonical"):
        out = tmp_path / f"{fmt}.json"
        write_annotations(nurvid, out, fmt)
        data = out.read_bytes()
        assert plain_numbers(data), fmt
        assert typed(read_json(out)) == typed(parse_json(data.decode("utf-8"), out, False))
