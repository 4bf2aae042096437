"""The format table: each reader / writer takes exactly the options its entry declares, every option has a
meaning, and the older spelling ``fps`` still reaches the option it now is."""
import inspect
import warnings
from pathlib import Path

import numpy as np
import pytest

from videokit.annotations import AnnotationError, read_annotations, write_annotations
from videokit.annotations.formats import FORMATS, OPTIONS
from videokit.cli import main

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.canonical.json"


def _keywords(function) -> set:
    params = list(inspect.signature(function).parameters.values())[1:]  # SRC, or (annotations, OUT)
    if params and params[0].name == "out":
        params = params[1:]
    assert not any(p.kind is p.VAR_KEYWORD for p in params), f"{function.__qualname__} swallows **kwargs"
    return {p.name for p in params}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_signatures_are_what_the_table_declares(name):
    form = FORMATS[name]
    if form.read:
        assert _keywords(form.read) == set(form.read_options), name
    if form.write:
        assert _keywords(form.write) == set(form.write_options), name
    for option in form.read_options + form.write_options + tuple(form.read_back_options):
        assert option in OPTIONS and OPTIONS[option].help, option
    if form.read_back:
        assert set(form.read_back_options) <= set(_keywords(form.read_back))


def test_an_option_no_format_takes_is_one_error(tmp_path):
    with pytest.raises(AnnotationError, match="no annotation format takes this option"):
        read_annotations(TINY, "canonical", fsp=25)
    annotations = read_annotations(TINY, "canonical", tiers="a=b")  # another format's option: left out
    with pytest.raises(AnnotationError, match="unknown target format"):
        write_annotations(annotations, tmp_path / "x", "mp4")
    assert not (tmp_path / "x").exists()


def test_the_older_fps_keyword_reaches_the_option_it_now_is(tmp_path):
    annotations = read_annotations(TINY, "canonical")
    for video in annotations:
        video.fps = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_annotations(annotations, tmp_path / "ls.json", "labelstudio", fps=10.0)
        write_annotations(annotations, tmp_path / "f.npz", "frames", fps=2.0)
    assert sum("is now 'tool_fps'" in str(w.message) for w in caught) == 1
    assert sum("is now 'label_fps'" in str(w.message) for w in caught) == 1
    back = read_annotations(tmp_path / "ls.json", "labelstudio", tool_fps=99.0)
    starts = sorted(round(s.start, 1) for _, s in back.segments(back.levels[-1]))
    assert starts == sorted(round(s.start, 1) for _, s in annotations.segments(annotations.levels[-1]))
    # (frames were counted at 10 fps, the rate the tasks state: it wins over the reader's fallback)
    meta = np.load(tmp_path / "f.npz")["__meta__"]
    assert '"fps": 2.0' in str(meta)


def test_cli_spellings_of_the_three_rates(tmp_path, capsys):
    """--tool-fps (a tool's frames), --label-fps (frames' label rate), compare's --kappa-fps; --fps still works."""
    assert main(["convert", str(TINY), "--from", "canonical", "--to", "frames", "--label-fps", "4",
                 "-o", str(tmp_path / "a.npz")]) == 0
    assert main(["convert", str(TINY), "--from", "canonical", "--to", "frames", "--fps", "4",
                 "-o", str(tmp_path / "b.npz")]) == 0
    a, b = np.load(tmp_path / "a.npz"), np.load(tmp_path / "b.npz")
    assert str(a["__meta__"]) == str(b["__meta__"]) and '"fps": 4.0' in str(a["__meta__"])
    help_text = _help(["convert", "--help"], capsys)
    for flag in ("--tool-fps", "--label-fps", "--fps"):
        assert flag in help_text
    assert "--kappa-fps" in _help(["compare", "--help"], capsys)


def _help(argv, capsys) -> str:
    with pytest.raises(SystemExit):
        main(argv)
    return capsys.readouterr().out


def test_the_docs_table_lists_every_option():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "annotations.md").read_text()
    for name, option in OPTIONS.items():
        assert f"| `{name}` |" in docs and option.help in docs, name
