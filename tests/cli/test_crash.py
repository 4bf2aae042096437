"""A bug in videokit is one line on the terminal and a log file; bad input and a refused write are one error."""
from __future__ import annotations

import json
import subprocess
import sys

from videokit.annotations import read_annotations, write_annotations
from videokit.annotations.formats import READERS
from videokit.cli import crash, main

from ..conftest import DATA, ROOT

TINY = DATA / "tiny" / "tiny.canonical.json"


def test_a_bug_is_one_line_naming_the_file_and_the_log(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VIDEOKIT_LOG_DIR", str(tmp_path / "logs"))

    def broken(*_args, **_kwargs):
        raise KeyError("levels")

    monkeypatch.setitem(READERS, "canonical", broken)
    code = main(["stats", str(TINY), "--from", "canonical"])
    assert code == crash.EXIT_BUG == 70
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    line = err[0]
    assert line.startswith("error: a bug in videokit, not a problem of your data: KeyError: 'levels'")
    assert str(TINY) in line and "Traceback" not in line
    logs = list((tmp_path / "logs").iterdir())
    assert len(logs) == 1 and str(logs[0]) in line
    text = logs[0].read_text()
    assert "Traceback (most recent call last)" in text and "KeyError: 'levels'" in text
    assert f"command: videokit stats {TINY} --from canonical" in text


def test_the_installed_command_prints_no_traceback(tmp_path):
    """The same through the console script's process: stderr is one line, the exit code 70."""
    script = ("import sys; from videokit.annotations import formats\n"
              "def broken(*a, **k): raise ZeroDivisionError('boom')\n"
              "formats.READERS['canonical'] = broken\n"
              "from videokit.cli import main; sys.exit(main())")
    result = subprocess.run([sys.executable, "-c", script, "validate", str(TINY), "--from", "canonical"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={"VIDEOKIT_LOG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 70, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "ZeroDivisionError: boom" in result.stderr


def test_bad_input_is_exit_1_and_a_usage_error_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "videokit.canonical", "version": 1, "taxonomy": {"levels": 1}, "videos": []}')
    assert main(["validate", str(bad), "--from", "canonical"]) == crash.EXIT_BAD_INPUT
    assert "taxonomy: levels: expected a list" in capsys.readouterr().err
    try:
        main(["validate", str(bad), "--from", "no-such-format"])
    except SystemExit as exc:
        assert exc.code == crash.EXIT_USAGE


def test_a_file_videokit_would_refuse_is_never_written(tmp_path, capsys):
    """A class name with a control character reads from JSON, but no XML file can hold it: the ELAN and CVAT
    writes are one error each and leave nothing; canonical (JSON) holds it and reads back."""
    data = json.loads(TINY.read_text())
    data["taxonomy"]["levels"][1]["classes"][0]["name"] = "cut\u0001"
    src = tmp_path / "control.json"
    src.write_text(json.dumps(data))
    for target in ("elan", "cvat"):
        out = tmp_path / f"out-{target}"
        assert main(["convert", str(src), "--from", "canonical", "--to", target, "--fps", "25", "-o", str(out)]) == 1
        err = capsys.readouterr().err
        assert err.count("error:") == 1 and "cannot read back" in err and "nothing written" in err, err
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["control.json"]
    assert main(["convert", str(src), "--from", "canonical", "--to", "canonical", "-o", str(tmp_path / "c.json")]) == 0


def test_a_number_a_format_cannot_hold_is_refused_on_write(tmp_path):
    """1e308 s is a number JSON holds, but in Label Studio's frames it is an integer of 310 digits."""
    annotations = read_annotations(TINY, "canonical")
    next(iter(annotations)).segments[0].end = 1e308
    out = tmp_path / "tasks.json"
    try:
        write_annotations(annotations, out, "labelstudio", fps=25.0)
    except Exception as exc:  # noqa: BLE001 - the type is the point
        assert type(exc).__name__ == "AnnotationError" and "segment 0: end: 1e+308 s is beyond" in str(exc)
    else:
        raise AssertionError("written")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_is_one_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["convert", str(TINY), "--from", "canonical", "--to", "canonical",
                 "-o", str(blocker / "inside" / "out.json")]) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "cannot be written" in err


def test_every_writer_with_its_default_options_reads_back(real_dir, tmp_path):
    """The read-back uses the writer's own defaults (OphNet's writer defaults to the `all` table, its reader to
    `challenge`): a plain write of the real sets in every format with a reader succeeds."""
    from videokit.annotations.formats import READ_BACK

    sets = {"nurvid": read_annotations(real_dir / "nurvid", "nurvid"),
            "ophnet": read_annotations(real_dir / "ophnet", "ophnet")}
    for fmt in READ_BACK:
        for name, made in sets.items():
            if fmt in ("nurvid", "ophnet") and fmt != name:
                continue  # each dataset's own folder layout holds its own levels only
            options = {"fps": 25.0} if fmt in ("labelstudio", "cvat") else {}
            write_annotations(made, tmp_path / f"{name}-{fmt}", fmt, **options)
            assert (tmp_path / f"{name}-{fmt}").exists(), (name, fmt)


def test_an_unknown_config_name_is_bad_input_not_a_bug(tmp_path, capsys):
    assert main(["weights", "fetch", "nurvid/tsm_r50_1x1x8_trimed-procedure"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean nurvid/tsm_r50_1x1x8_trimmed-procedure" in err[0] and "bug" not in err[0]
    try:  # a verb that loads a model: the same line, never the bug report
        main(["export", "nurvid/tsm_r50_1x1x8_trimed-procedure", "none", "-o", str(tmp_path / "m.onnx")])
    except SystemExit as exc:
        assert "did you mean" in str(exc.code)
    else:
        assert "bug" not in capsys.readouterr().err
    try:
        main(["train", "nurvid/no-such-config"])
    except SystemExit as exc:
        assert "no stock config of that name" in str(exc.code)
    else:
        raise AssertionError("trained")
