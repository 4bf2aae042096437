"""The formats with one file per video (ELAN, CVAT, subtitles): a re-export over the last one rewrites only
the videos that changed, two videos never share a file, and a failed export leaves the old folder whole."""
from __future__ import annotations

import copy
import gc
import os
import re
from pathlib import Path

import pytest

from videokit.annotations import AnnotationError, read_annotations, write_annotations
from videokit.utils import write_folder

FOLDER_FORMATS = {"elan": ".eaf", "cvat": ".xml", "vtt": ".vtt"}


@pytest.fixture(scope="module")
def nurvid(real_dir):
    return read_annotations(real_dir / "nurvid", "nurvid")


def snapshot(folder: Path):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}


def leftovers(folder: Path):
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


@pytest.mark.parametrize("fmt", sorted(FOLDER_FORMATS))
def test_a_reexport_rewrites_only_the_videos_that_changed(nurvid, fmt, tmp_path):
    out = tmp_path / "out"
    write_annotations(nurvid, out, fmt, fps=30.0)
    if fmt == "elan":  # files written at another time: ELAN's DATE differs, the annotations do not
        for path in out.iterdir():
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r' DATE="[^"]*"', ' DATE="2001-01-01T00:00:00+00:00"', text, count=1),
                            encoding="utf-8")
    before = snapshot(out)
    assert len(before) == len(nurvid)

    edited = copy.deepcopy(nurvid)
    changed = next(v for v in edited if len(v.segments) >= 2)
    changed.segments[1].end += 1.0  # an annotator moved one boundary
    removed = next(v.video_id for v in edited if v is not changed)
    del edited.videos[removed]
    write_annotations(edited, out, fmt, fps=30.0)

    after = snapshot(out)
    name = lambda video_id: re.sub(r"[^\w.-]", "_", video_id) + FOLDER_FORMATS[fmt]  # noqa: E731
    assert set(after) == set(before) - {name(removed)}
    kept = [n for n in after if n != name(changed.video_id)]
    assert all(after[n][:2] == before[n][:2] for n in kept)  # the same inode, untouched
    assert after[name(changed.video_id)][0] != before[name(changed.video_id)][0]
    assert after[name(changed.video_id)][2] != before[name(changed.video_id)][2]
    assert leftovers(out) == []
    if fmt != "vtt":  # and what is there reads back as the edited set
        back = read_annotations(out, fmt)
        assert len(back) == len(edited)
        assert back.videos[changed.video_id].segments[1].end == pytest.approx(changed.segments[1].end, abs=1 / 30)


def test_two_videos_never_share_a_file(tmp_path):
    tiny = read_annotations(Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.canonical.json", "canonical")
    first, second = list(tiny.videos)[:2]
    videos = dict(tiny.videos)
    videos["case/1"], videos["case_1"] = videos.pop(first), videos.pop(second)
    videos["case/1"].video_id, videos["case_1"].video_id = "case/1", "case_1"
    tiny.videos = videos
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.eaf").write_text("the last export")
    for fmt in FOLDER_FORMATS:
        with pytest.raises(AnnotationError, match=r"video case_1: video_id: would be written to case_1\.\w+, "
                                                  r"the file of video 'case/1'"):
            write_annotations(tiny, out, fmt, fps=30.0)
        assert [p.name for p in out.iterdir()] == ["old.eaf"] and leftovers(out) == []


def test_a_failed_reexport_leaves_the_last_one_whole(nurvid, tmp_path):
    out = tmp_path / "out"
    write_annotations(nurvid, out, "cvat", fps=30.0)
    before = snapshot(out)
    broken = copy.deepcopy(nurvid)
    for video in list(broken)[len(broken) // 2:]:
        video.fps = None  # CVAT keeps frames: halfway through, a video without a frame rate
    with pytest.raises(AnnotationError, match="fps"):
        write_annotations(broken, out, "cvat")
    assert snapshot(out) == before and leftovers(out) == []


def test_without_hard_links_every_file_is_written(monkeypatch, tmp_path):
    out = tmp_path / "out"
    write_folder(out, [("a.txt", "one"), ("b.txt", "two")])

    def no_links(*_):
        raise OSError("hard links not supported here")
    monkeypatch.setattr(os, "link", no_links)
    done = write_folder(out, [("a.txt", "one"), ("b.txt", "three")])
    assert (done.written, done.kept) == (2, 0)
    assert {p.name: p.read_text() for p in out.iterdir()} == {"a.txt": "one", "b.txt": "three"}
    with pytest.raises(ValueError, match="given twice"):
        write_folder(out, [("a.txt", "one"), ("a.txt", "two")])
    assert {p.name: p.read_text() for p in out.iterdir()} == {"a.txt": "one", "b.txt": "three"}


def test_reading_a_folder_leaves_no_garbage_cycles(nurvid, tmp_path):
    """Each file's parsed tree must be freed when its reading ends: a reference cycle (a recursive closure
    over the tree) kept all of them until the cycle collector ran, a third of an OphNet read."""
    subset = copy.deepcopy(nurvid)
    subset.videos = dict(list(subset.videos.items())[:200])
    for fmt in ("elan", "cvat"):
        write_annotations(subset, tmp_path / fmt, fmt, fps=30.0)
        gc.collect()
        gc.disable()
        try:
            back = read_annotations(tmp_path / fmt, fmt)
            unreachable = gc.collect()
        finally:
            gc.enable()
        assert len(back) == 200 and unreachable < 50, (fmt, unreachable)


def test_the_read_back_reads_the_bytes_just_written(tmp_path):
    """Inside ``checked_outputs`` the check is handed what each file was given (written or carried over), so it
    reads them from memory; outside it the reader opens the files."""
    from videokit.annotations.formats._common import read_bytes
    from videokit.utils import checked_outputs, written_bytes

    out = tmp_path / "out"
    write_folder(out, [("a.txt", "one\n"), ("b.txt", "two\n")])
    seen = {}

    def check(tmp, final):
        for path in sorted(Path(tmp).iterdir()):
            seen[path.name] = (written_bytes(path), read_bytes(path), path.read_bytes())
    with checked_outputs(check):
        write_folder(out, [("a.txt", "one\n"), ("b.txt", "TWO\n")])  # a.txt carried over, b.txt written
    assert seen == {"a.txt": (b"one\n",) * 3, "b.txt": (b"TWO\n",) * 3}
    assert written_bytes(out / "a.txt") is None  # outside the block: nothing kept
