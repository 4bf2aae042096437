"""The annotator's edit cycle through ELAN, CVAT, VIA and Label Studio's JSON, on real NurViD and OphNet videos:
videokit writes the tool's file, the edit is made as the tool makes it, videokit reads the file back, and
``videokit compare`` of before and after lists exactly that edit. The class the annotator chose is the class
read back (by name, and by id where the original taxonomy is given); hidden ids never override it.
The Label Studio rows against a live server are in tests/labelstudio/test_edit_cycle.py."""
from __future__ import annotations

import json

import pytest

from videokit.annotations import read_annotations, write_annotations

from ..edit_cycle import (
    EDITS,
    FPS,
    choose,
    chosen,
    edit_cvat,
    edit_elan,
    edit_label_studio_result,
    edit_via,
    listed_edits,
    same_edit,
    subset,
)

TOOLS = ("elan", "cvat", "via", "labelstudio")


@pytest.fixture(scope="module")
def real_sets(real_dir):
    return {name: subset(read_annotations(real_dir / name, name)) for name in ("nurvid", "ophnet")}


def _cycle(tool: str, before, edit, tmp_path, taxonomy=None):
    """Write ``before`` for ``tool``, make ``edit`` there, read it back."""
    fps_options = {"fps": FPS} if tool in ("cvat", "labelstudio") else {}
    if tool == "elan":
        write_annotations(before, tmp_path / "eaf", "elan")
        from videokit.annotations.formats._tool_files import video_file_name
        edit_elan(str(tmp_path / "eaf" / video_file_name(edit.video, ".eaf")), edit, before)
        src = tmp_path / "eaf"
    elif tool == "cvat":
        write_annotations(before, tmp_path / "cvat", "cvat", fps=FPS)
        from videokit.annotations.formats._tool_files import video_file_name
        path = tmp_path / "cvat" / video_file_name(edit.video, ".xml")
        path.write_text(edit_cvat(path.read_text(), edit, before, before.videos[edit.video].fps))
        src = tmp_path / "cvat"
    elif tool == "via":
        write_annotations(before, tmp_path / "via.json", "via")
        project = edit_via(json.loads((tmp_path / "via.json").read_text()), edit, before)
        (tmp_path / "via.json").write_text(json.dumps(project))
        src = tmp_path / "via.json"
    else:
        write_annotations(before, tmp_path / "tasks.json", "labelstudio")
        tasks = json.loads((tmp_path / "tasks.json").read_text())
        task = next(t for t in tasks if t["data"]["videokit"]["video_id"] == edit.video)
        annotation = task["annotations"][0]
        annotation["result"] = edit_label_studio_result(annotation["result"], edit, before,
                                                        before.videos[edit.video].fps)
        (tmp_path / "tasks.json").write_text(json.dumps(tasks))
        src = tmp_path / "tasks.json"
    return read_annotations(src, tool, taxonomy=taxonomy, **fps_options)


@pytest.mark.parametrize("edit_kind", EDITS)
@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("dataset", ["nurvid", "ophnet"])
def test_an_edit_made_in_the_tool_comes_back_exactly(real_sets, dataset, tool, edit_kind, tmp_path):
    before, edit = chosen(real_sets[dataset], edit_kind)
    tolerance = 1.0 / before.videos[edit.video].fps + 1e-3 if tool in ("cvat", "labelstudio") else 1e-3
    after = _cycle(tool, before, edit, tmp_path)
    listed = listed_edits(before, after)
    want = edit.expected(before)
    assert len(listed) == 1 and same_edit(listed[0], want, tolerance), (listed, want)
    if edit.kind in ("relabel", "relabel_repeated", "add"):  # the class chosen, by id with the taxonomy given
        back = _cycle(tool, before, edit, tmp_path / "taxonomy", taxonomy=before.taxonomy)
        got = {(round(s.start, 2), s.label) for s in back.videos[edit.video].segments if s.level == edit.level}
        start = edit.start if edit.kind == "add" else before.videos[edit.video].segments[edit.index].start
        assert any(label == edit.label and abs(t - start) <= tolerance for t, label in got), got
    if edit.kind == "add" and len(before.levels) > 2:  # its parent: the coarser segment holding it
        video = after.videos[edit.video]
        new = next(s for s in video.segments if s.level == edit.level and abs(s.start - edit.start) <= tolerance
                   and abs(s.end - edit.end) <= tolerance)
        parent = video.segments[new.parent]
        assert parent.start - tolerance <= edit.start and edit.end <= parent.end + tolerance


def test_a_relabel_never_renames_the_class_for_the_whole_set(real_sets, tmp_path):
    """The relabelled region keeps the id videokit hid in its meta: read without a taxonomy, that id neither
    keeps the old class nor gives the new name to every other segment of the old class."""
    before, edit = choose(real_sets["nurvid"], "relabel")
    after = _cycle("labelstudio", before, edit, tmp_path)
    old = before.videos[edit.video].segments[edit.index].label
    old_name = before.taxonomy.class_names(edit.level)[old]
    names = after.taxonomy.class_names(edit.level)
    count = sum(1 for v in before for s in v.segments if s.level == edit.level and s.label == old)
    kept = sum(1 for v in after for s in v.segments if s.level == edit.level and names[s.label] == old_name)
    assert kept == count - 1


def test_a_stale_id_beside_a_relabelled_value_loses_to_the_value(real_sets, tmp_path):
    """ELAN: a value changed and its vocabulary reference left as it was (a script, another tool): the value wins."""
    before, edit = choose(real_sets["nurvid"], "relabel")
    write_annotations(before, tmp_path / "eaf", "elan")
    from videokit.annotations.formats._tool_files import video_file_name
    path = tmp_path / "eaf" / video_file_name(edit.video, ".eaf")
    names = before.taxonomy.class_names(edit.level)
    seg = before.videos[edit.video].segments[edit.index]
    text = path.read_text()
    old = f"<ANNOTATION_VALUE>{names[seg.label]}</ANNOTATION_VALUE>"
    assert old in text
    path.write_text(text.replace(old, f"<ANNOTATION_VALUE>{names[edit.label]}</ANNOTATION_VALUE>", 1))
    after = read_annotations(tmp_path / "eaf", "elan")
    listed = listed_edits(before, after)
    assert [e[0] for e in listed] == ["relabel"] and listed[0][2][0][2] == names[edit.label]


def test_an_id_without_its_name_is_trusted_only_where_the_values_agree(real_sets, tmp_path):
    """A file whose region metas hold the class id alone (no name to check it by): the id goes with the value
    most of its segments show; the relabelled one, showing another, is read by its value."""
    before, edit = choose(real_sets["ophnet"], "relabel")
    write_annotations(before, tmp_path / "tasks.json", "labelstudio")
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    for task in tasks:
        for region in task["annotations"][0]["result"]:
            del region["meta"]["videokit_label"]
    task = next(t for t in tasks if t["data"]["videokit"]["video_id"] == edit.video)
    task["annotations"][0]["result"] = edit_label_studio_result(task["annotations"][0]["result"], edit, before,
                                                                before.videos[edit.video].fps)
    (tmp_path / "tasks.json").write_text(json.dumps(tasks))
    after = read_annotations(tmp_path / "tasks.json", "labelstudio")
    assert [e[0] for e in listed_edits(before, after)] == ["relabel"]


ZERO, SUB_FRAME = (5.0, 5.0), (7.0, 7.01)


@pytest.mark.parametrize("fmt, back", [
    ("canonical", (ZERO, SUB_FRAME)), ("anet", (ZERO, SUB_FRAME)), ("elan", (ZERO, SUB_FRAME)),
    ("via", (ZERO, SUB_FRAME)),
    ("cvat", ((5.0, 5.04), (7.0, 7.04))),  # frames: one frame long at 25 fps
    ("labelstudio", ((5.0, 5.04), (7.0, 7.04))),
])
def test_zero_length_and_sub_frame_segments_through_each_format(fmt, back, tmp_path):
    """What each format makes of a zero-length and a sub-frame segment (the docs' table): time-based formats keep
    them; frame-based tools (CVAT, Label Studio) count whole frames, so both come back one frame long."""
    from videokit.annotations import AnnotationSet, Segment, Taxonomy, VideoAnnotation
    from videokit.annotations.model import ClassInfo, Level

    taxonomy = Taxonomy("t", [Level("procedure", {0: ClassInfo(0, "p")}),
                              Level("step", {0: ClassInfo(0, "a"), 1: ClassInfo(1, "b")})])
    video = VideoAnnotation("v1", "v1.mp4", 20.0, 25.0, "train", [0],
                            [Segment("step", 0, *ZERO), Segment("step", 1, *SUB_FRAME)])
    annotations = AnnotationSet(taxonomy, {"v1": video}, "made")
    out = tmp_path / ("out" if fmt in ("elan", "cvat") else "out.json")
    write_annotations(annotations, out, fmt)
    got = read_annotations(out, fmt).videos["v1"].segments
    assert [(s.start, s.end) for s in got if s.level != "procedure"] == list(back)


def test_compare_of_a_file_read_with_the_taxonomy_and_one_without(real_sets, tmp_path):
    """A tool file read without --taxonomy knows only the classes it uses: classes neither side uses do not count,
    and the report names the classes matched by name (their ids differ)."""
    import subprocess
    import sys

    before, edit = choose(real_sets["nurvid"], "relabel")
    write_annotations(before, tmp_path / "before.json", "canonical")
    _cycle("labelstudio", before, edit, tmp_path)  # read without a taxonomy: the new class gets an id of its own
    run = subprocess.run([sys.executable, "-m", "videokit.cli", "compare", str(tmp_path / "before.json"),
                          str(tmp_path / "tasks.json"), "--b-from", "labelstudio", "-o", str(tmp_path / "report")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "edits: 1 relabel" in run.stdout and "classes matched by name" in run.stdout, run.stdout
    report = json.loads((tmp_path / "report" / "agreement.json").read_text())
    level = next(lvl for lvl in report["levels"] if lvl["level"] == edit.level)
    names = before.taxonomy.class_names(edit.level)
    assert [c["name"] for c in level["classes_matched_by_name"]] == [names[edit.label]]
    assert not level["classes_only_in_b"]
    assert level["edits"]["relabel"] == 1 and sum(level["edits"].values()) == 1
