"""Real NurViD and OphNet videos through a live Label Studio: videokit's labeling config and tasks imported through
the REST API, the project exported as the server gives it (JSON and JSON_MIN, all tasks), read back by videokit:
the same segments, classes (a repeated NurViD class name included) and video labels, times within a frame."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from videokit.annotations import AnnotationSet, read_annotations, write_annotations

FPS = 25.0
pytestmark = pytest.mark.xdist_group("labelstudio")  # the tests share one server (one worker)


def _subset(annotations: AnnotationSet, count: int, must=()) -> AnnotationSet:
    keep = list(must) + [v for v in annotations.videos if v not in must][:count]
    videos = {vid: annotations.videos[vid] for vid in keep}
    for video in videos.values():
        video.fps = video.fps or FPS
    return AnnotationSet(annotations.taxonomy, videos, annotations.source)


def _repeated_name_videos(annotations: AnnotationSet) -> list:
    """Videos holding a segment of a class whose name repeats at its level (NurViD's two "Defibrillate")."""
    found = []
    for level in annotations.taxonomy.levels:
        names = Counter(c.name for c in level.classes.values())
        repeated = {cid for cid, c in level.classes.items() if names[c.name] > 1}
        for video in annotations:
            uses_repeated = any(s.level == level.name and s.label in repeated for s in video.segments)
            if uses_repeated and video.video_id not in found:
                found.append(video.video_id)
    return found[:2]


def _segments(annotations: AnnotationSet):
    names = {lvl: annotations.taxonomy.class_names(lvl) for lvl in annotations.levels}
    return {v.video_id: sorted((s.level, names[s.level][s.label], s.start, s.end) for s in v.segments)
            for v in annotations}


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["nurvid", "ophnet"])
def test_videokit_tasks_through_a_live_label_studio_come_back_the_same(label_studio, real_dir, tmp_path, dataset):
    full = read_annotations(real_dir / dataset, dataset)
    subset = _subset(full, 3, _repeated_name_videos(full) if dataset == "nurvid" else ())
    write_annotations(subset, tmp_path / "tasks.json", "labelstudio")
    write_annotations(subset, tmp_path / "config.xml", "labelstudio-config")
    project = label_studio.json("POST", "/api/projects", {"title": f"videokit {dataset}",
                                                          "label_config": (tmp_path / "config.xml").read_text()})
    imported = label_studio.json("POST", f"/api/projects/{project['id']}/import",
                                 json.loads((tmp_path / "tasks.json").read_text()))
    assert imported["task_count"] == len(subset) and imported["annotation_count"] == len(subset)
    expected = _segments(subset)
    for export_type in ("JSON", "JSON_MIN"):
        data = label_studio.call("GET", f"/api/projects/{project['id']}/export?exportType={export_type}"
                                        "&download_all_tasks=true")
        path = tmp_path / f"export-{export_type}.json"
        path.write_bytes(data)
        back = read_annotations(path, "labelstudio", fps=FPS)
        assert back.levels == subset.levels
        got = _segments(back)
        assert set(got) == set(expected), export_type
        for vid, segments in expected.items():
            assert [s[:2] for s in got[vid]] == [s[:2] for s in segments], (export_type, vid)
            assert all(abs(a[2] - b[2]) <= 1 / FPS and abs(a[3] - b[3]) <= 1 / FPS
                       for a, b in zip(got[vid], segments)), (export_type, vid)
            assert back.videos[vid].labels == subset.videos[vid].labels
