"""The annotator's edit cycle on a live Label Studio, and its exports as the server gives them.

Real NurViD and OphNet videos (a subset that keeps every repeated-name class and the zero-length segment) are
imported with videokit's labeling config; one edit is made through the REST API the way the editor saves it
(``PATCH /api/annotations/ID`` with the whole result: a relabelled region keeps its meta); the project is
exported (JSON and JSON_MIN); ``videokit compare`` of before and after lists exactly that edit. Then the export
variants: predictions only, several annotators, skipped tasks, an uploaded video, the snapshot exports."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from videokit.annotations import AnnotationError, read_annotations, write_annotations

from ..conftest import SAMPLE_VIDEOS
from ..edit_cycle import EDITS, choose, chosen, edit_label_studio_result, listed_edits, same_edit, subset
from .conftest import upload

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("labelstudio")]  # one server per run


@pytest.fixture(scope="module")
def real_sets(real_dir):
    return {name: subset(read_annotations(real_dir / name, name)) for name in ("nurvid", "ophnet")}


def _project(label_studio, annotations, tmp_path, title: str, as_predictions: bool = False) -> int:
    write_annotations(annotations, tmp_path / "tasks.json", "labelstudio", as_predictions=as_predictions)
    write_annotations(annotations, tmp_path / "config.xml", "labelstudio-config")
    project = label_studio.json("POST", "/api/projects", {"title": title,
                                                          "label_config": (tmp_path / "config.xml").read_text()})
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    label_studio.json("POST", f"/api/projects/{project['id']}/import", tasks)
    return project["id"]


def _tasks(label_studio, project: int):
    return label_studio.json("GET", f"/api/tasks?project={project}&page_size=1000")["tasks"]


def _export(label_studio, project: int, tmp_path: Path, export_type: str, query: str = "&download_all_tasks=true"
            ) -> Path:
    path = tmp_path / f"export-{project}-{export_type}{uuid.uuid4().hex[:6]}.json"
    path.write_bytes(label_studio.call("GET", f"/api/projects/{project}/export?exportType={export_type}{query}"))
    return path


@pytest.mark.parametrize("edit_kind", EDITS)
@pytest.mark.parametrize("dataset", ["nurvid", "ophnet"])
def test_an_edit_made_through_the_editor_api_comes_back_exactly(label_studio, real_sets, dataset, edit_kind, tmp_path):
    before, edit = chosen(real_sets[dataset], edit_kind)
    project = _project(label_studio, before, tmp_path, f"edit {dataset} {edit_kind}")
    task = next(t for t in _tasks(label_studio, project) if t["data"]["videokit"]["video_id"] == edit.video)
    annotation = label_studio.json("GET", f"/api/tasks/{task['id']}/annotations")[0]
    fps = before.videos[edit.video].fps
    result = edit_label_studio_result(annotation["result"], edit, before, fps)
    label_studio.json("PATCH", f"/api/annotations/{annotation['id']}", {"result": result, "lead_time": 4.2})
    saved = label_studio.json("GET", f"/api/annotations/{annotation['id']}")["result"]
    if edit.kind.startswith("relabel"):  # the server keeps the stale id in the region's meta, as the editor does
        region = next(r for r in saved if r["id"] == f"vk{edit.index}")
        assert region["meta"]["videokit_label_id"] == before.videos[edit.video].segments[edit.index].label
    tolerance = 1.0 / fps + 1e-3
    want = edit.expected(before)
    for export_type in ("JSON", "JSON_MIN"):
        after = read_annotations(_export(label_studio, project, tmp_path, export_type), "labelstudio")
        listed = listed_edits(before, after)
        assert len(listed) == 1 and same_edit(listed[0], want, tolerance), (export_type, listed, want)
        fields = {k for v in before for s in v.segments for k in s.attrs}
        lost = [f for f in after.findings if f.code == "fields-not-exported"]
        assert bool(lost) == (export_type == "JSON_MIN" and bool(fields)), (export_type, lost)


def test_a_predictions_only_project_reads_from_the_snapshot_export(label_studio, real_sets, tmp_path):
    """The project export lists a prediction by id only: reading it is one error naming the export that has
    them; the snapshot export with predictions gives back the model's regions and scores."""
    model = subset(real_sets["ophnet"], 2)
    for video in model:
        for k, seg in enumerate(video.segments):
            seg.attrs["score"] = round(0.5 + 0.01 * (k % 40), 2)
    project = _project(label_studio, model, tmp_path, "predictions only", as_predictions=True)
    by_id = _export(label_studio, project, tmp_path, "JSON")
    with pytest.raises(AnnotationError, match="exports.*only_id"):
        read_annotations(by_id, "labelstudio")
    snapshot = label_studio.json("POST", f"/api/projects/{project}/exports",
                                 {"title": "with predictions",
                                  "serialization_options": {"predictions": {"only_id": False}}})
    path = tmp_path / "snapshot.json"
    for _ in range(60):
        if label_studio.json("GET", f"/api/projects/{project}/exports/{snapshot['id']}")["status"] == "completed":
            break
        time.sleep(0.5)
    path.write_bytes(label_studio.call("GET", f"/api/projects/{project}/exports/{snapshot['id']}/download"
                                              "?exportType=JSON"))
    back = read_annotations(path, "labelstudio")
    assert listed_edits(model, back) == []
    scores = sorted(s.attrs["score"] for v in back for s in v.segments)
    assert scores == sorted(s.attrs["score"] for v in model for s in v.segments)


def test_snapshot_exports_read_as_the_project_export(label_studio, real_sets, tmp_path, monkeypatch):
    """The snapshot exports read as the project export does; `videokit labelstudio pull` (a snapshot through the
    API, then canonical JSON) gives the same set back, splits and class ids kept."""
    from videokit.cli import main

    before = subset(real_sets["nurvid"], 2)
    project = _project(label_studio, before, tmp_path, "snapshot")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    write_annotations(before, tmp_path / "taxonomy.json", "canonical")
    assert main(["labelstudio", "pull", str(project), "-o", str(tmp_path / "pulled.json"), "--url", label_studio.base,
                 "--taxonomy", str(tmp_path / "taxonomy.json")]) == 0
    pulled = read_annotations(tmp_path / "pulled.json", "canonical")
    assert listed_edits(before, pulled) == []
    assert {v: pulled.videos[v].split for v in pulled.videos} == {v: before.videos[v].split for v in before.videos}
    assert all(s.label == t.label for v in before for s, t in zip(v.segments, pulled.videos[v.video_id].segments))
    snapshot = label_studio.json("POST", f"/api/projects/{project}/exports", {"title": "snap"})
    for _ in range(60):
        if label_studio.json("GET", f"/api/projects/{project}/exports/{snapshot['id']}")["status"] == "completed":
            break
        time.sleep(0.5)
    for export_type in ("JSON", "JSON_MIN"):
        path = tmp_path / f"snapshot-{export_type}.json"
        path.write_bytes(label_studio.call("GET", f"/api/projects/{project}/exports/{snapshot['id']}/download"
                                                  f"?exportType={export_type}"))
        assert listed_edits(before, read_annotations(path, "labelstudio")) == [], export_type


def _second_annotator(label_studio) -> int:
    users = label_studio.json("GET", "/api/users")
    found = next((u for u in users if u["email"] == "second@example.com"), None)
    return (found or label_studio.json("POST", "/api/users/", {"email": "second@example.com", "username": "second",
                                                               "first_name": "Second"}))["id"]


def test_several_annotators_skipped_tasks_and_compare_of_two_people(label_studio, real_sets, tmp_path):
    """A task two people annotated: one error naming them, each one's work by --completed-by, `videokit compare`
    of the two in one export; a task skipped (cancelled) is left out with a warning."""
    before = subset(real_sets["nurvid"], 2)
    project = _project(label_studio, before, tmp_path, "two annotators")
    second = _second_annotator(label_studio)
    me = label_studio.json("GET", "/api/current-user/whoami")["id"]
    tasks = _tasks(label_studio, project)
    _, edit = choose(before, "relabel")
    task = next(t for t in tasks if t["data"]["videokit"]["video_id"] == edit.video)
    first = label_studio.json("GET", f"/api/tasks/{task['id']}/annotations")[0]
    result = edit_label_studio_result(first["result"], edit, before, before.videos[edit.video].fps)
    label_studio.json("POST", f"/api/tasks/{task['id']}/annotations", {"result": result, "completed_by": second})
    skipped = next(t for t in tasks if t["id"] != task["id"])
    for old in label_studio.json("GET", f"/api/tasks/{skipped['id']}/annotations"):
        label_studio.call("DELETE", f"/api/annotations/{old['id']}")
    label_studio.json("POST", f"/api/tasks/{skipped['id']}/annotations", {"result": [], "was_cancelled": True})
    for export_type in ("JSON", "JSON_MIN"):
        path = _export(label_studio, project, tmp_path, export_type)
        with pytest.raises(AnnotationError, match="2 annotators.*--completed-by"):
            read_annotations(path, "labelstudio")
        mine = read_annotations(path, "labelstudio", annotator=str(me))
        theirs = read_annotations(path, "labelstudio", annotator=str(second))
        assert list(theirs.videos) == [edit.video] and theirs.videos[edit.video].attrs["annotator"] == str(second)
        assert skipped["data"]["videokit"]["video_id"] not in mine.videos
        if export_type == "JSON":  # JSON-MIN leaves cancelled annotations out altogether
            assert any("skipped / cancelled" in f.message for f in mine.findings)
        kinds = [e[0] for e in listed_edits(mine, theirs)]
        assert kinds == ["relabel"], kinds
        out = tmp_path / f"report-{export_type}"
        run = subprocess.run([sys.executable, "-m", "videokit.cli", "compare", str(path), str(path),
                              "--from", "labelstudio",
                              "--completed-by", str(me), "--b-completed-by", str(second), "-o", str(out)],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert "edits: 1 relabel" in run.stdout, run.stdout
        edits = (out / f"edits_{edit.level}.csv").read_text().splitlines()
        assert len(edits) == 2 and ",relabel," in edits[1], edits


def test_an_uploaded_video_is_named_by_its_own_file(label_studio, tmp_path):
    """A video uploaded to Label Studio (``/data/upload/N/<hash>-<name>``) and annotated there reads back under
    the video file's own name."""
    config = ('<View><Video name="video" value="$video" framerate="25"/><TimelineLabels name="step" toName="video">'
              '<Label value="incision"/><Label value="suture"/></TimelineLabels></View>')
    project = label_studio.json("POST", "/api/projects", {"title": "upload", "label_config": config})["id"]
    video = SAMPLE_VIDEOS / "bikes.mp4"
    if not video.is_file():
        pytest.skip(f"no sample video at {video}")
    upload(label_studio, project, video)
    task = _tasks(label_studio, project)[0]
    assert task["data"]["video"].startswith("/data/upload/")
    region = {"id": "r1", "type": "timelinelabels", "from_name": "step", "to_name": "video",
              "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": ["suture"]}}
    label_studio.json("POST", f"/api/tasks/{task['id']}/annotations", {"result": [region]})
    for export_type in ("JSON", "JSON_MIN"):
        back = read_annotations(_export(label_studio, project, tmp_path, export_type), "labelstudio", fps=25)
        assert list(back.videos) == ["bikes"], export_type
        seg = back.videos["bikes"].segments[0]
        assert (seg.start, seg.end) == (1.0, 3.0)
