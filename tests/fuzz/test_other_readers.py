"""The readers outside the annotation formats join the harness: detection results (``videokit evaluate``), feature
files and their sidecars, the review journal on recovery, NurViD's workbook. Each structure-aware mutation of a real
seed is a result or one clean error of the reader's own kind, one line naming the file; nothing else (the same
profiles as tests/fuzz/test_fuzz.py: ``VIDEOKIT_FUZZ=long`` for ``make fuzz``)."""
from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from videokit.annotations import AnnotationError, read_annotations
from videokit.annotations.formats._common import parse_int
from videokit.evaluation.results import read_results
from videokit.features.files import FeatureFileError, FeatureFolder
from videokit.review.journal import JournalError, read_journal

from ..conftest import REAL
from . import mutate

PROFILE = os.environ.get("VIDEOKIT_FUZZ", "short")
EXAMPLES = int(os.environ.get("VIDEOKIT_FUZZ_EXAMPLES", "20000")) if PROFILE == "long" else 80
FUZZ = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck), max_examples=EXAMPLES,
                derandomize=PROFILE != "long", phases=[Phase.generate] if PROFILE == "long" else list(Phase))

RESULTS = {"version": "VERSION 1.3", "results": {
    "v1": [{"label": "incision", "score": 0.9, "segment": [1.5, 10.0]}, {"label": 3, "score": 0.2,
                                                                         "segment": [12, 20]}],
    "v2": []}, "external_data": {}}
SIDECAR = {"video_id": "v1", "times": [1.0, 2.0, 3.0], "fps": 25.0, "num_frames": 100, "window": 16, "stride": 8,
           "feature_dim": 4, "dtype": "float32", "backbone": "tsm_r50", "size": 224, "frames_per_window": 8}
JOURNAL = [{"journal": 1, "source": "sha256:abc", "annotator": "a", "started": "2026-12-06T10:00:00+00:00"},
           {"op": "update", "video": "clean", "index": 0, "start": 0.6, "end": None, "label": None, "annotator": "a",
            "time": "2026-12-06T10:00:01+00:00", "source": "sha256:abc", "was": {"level": "step", "label": 0}},
           {"op": "save", "hash": "sha256:def", "out": "reviewed.json", "time": "2026-12-06T10:00:02+00:00"}]


def _one_line(exc: BaseException, path) -> None:
    assert "\n" not in str(exc) and str(path) in str(exc), str(exc)


@FUZZ
@given(st.data())
def test_detection_results(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("results") / "results.json"
    text = data.draw(mutate.json_edit(json.dumps(RESULTS)))
    path.write_bytes(data.draw(mutate.byte_damage(text.encode("utf-8", "surrogatepass"), False)))
    try:
        rows = read_results(path)
    except AnnotationError as exc:
        _one_line(exc, path)
        return
    assert all(isinstance(v, str) and isinstance(s, float) and isinstance(e, float) and isinstance(c, float)
               for v, _, s, e, c in rows)


@FUZZ
@given(st.data())
def test_feature_sidecars_and_arrays(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("features")
    text = data.draw(mutate.json_edit(json.dumps(SIDECAR)))
    (folder / "v1.json").write_bytes(data.draw(mutate.byte_damage(text.encode("utf-8", "surrogatepass"), False)))
    buffer = io.BytesIO()
    np.save(buffer, np.arange(12, dtype=np.float32).reshape(3, 4))
    (folder / "v1.npy").write_bytes(data.draw(mutate.byte_damage(buffer.getvalue(), False)))
    features = FeatureFolder(folder)
    for read in (features.meta, features.load, features.spec_of):
        try:
            read("v1")
        except FeatureFileError as exc:
            _one_line(exc, folder)


@FUZZ
@given(st.data())
def test_review_journal_on_recovery(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("journal") / "reviewed.json.journal"
    text = "\n".join(json.dumps(r) for r in JOURNAL) + "\n"
    path.write_bytes(data.draw(mutate.byte_damage(data.draw(mutate.lines_edit(text)).encode("utf-8",
                                                                                          "surrogatepass"), False)))
    try:
        contents = read_journal(path)
    except JournalError as exc:
        _one_line(exc, path)
        return
    assert contents is None or all(isinstance(edit, dict) for edit in contents.edits)


@pytest.fixture(scope="module")
def workbook():
    found = sorted(REAL.glob("nurvid/*.xlsx")) if REAL.is_dir() else []
    if not found:
        pytest.skip("NurViD's workbook is not beside the checkout")
    return found[0]


@settings(database=None, deadline=None, suppress_health_check=list(HealthCheck),
          max_examples=EXAMPLES // 4 if PROFILE == "short" else EXAMPLES, derandomize=PROFILE != "long")
@given(st.data())
def test_nurvid_workbook(workbook, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("workbook")
    path = folder / workbook.name
    path.write_bytes(data.draw(mutate.byte_damage(workbook.read_bytes(), False)))
    try:
        read_annotations(path, "nurvid")
    except AnnotationError as exc:
        _one_line(exc, path)


def test_an_ophnet_id_with_a_control_character_reads_as_its_digits():
    """str.strip removes 0x1C-0x1F, int() does not accept them: the parsers convert the stripped text."""
    assert parse_int("7\x1d", "f.csv", "line 2", "id") == 7 and parse_int(" 12\x1c", "f.csv", "line 2", "id") == 12


@FUZZ
@given(st.data())
def test_review_session_recovers_a_mutated_journal_or_refuses_it(tmp_path_factory, data):
    """``videokit review`` opening OUT with a damaged journal beside it: the edits replayed, or one JournalError."""
    from videokit.review import ReviewSession
    from videokit.review.journal import journal_path

    from ..review.conftest import TAXONOMY, VIDEOS

    folder = tmp_path_factory.mktemp("recover")
    source = folder / "made.json"
    source.write_text(json.dumps({"format": "videokit.canonical", "version": 1, "taxonomy": TAXONOMY,
                                  "videos": VIDEOS}))
    out = folder / "reviewed.json"
    session = ReviewSession.open(source, "canonical", out)  # a real journal: its header names the source
    session.update("clean", 0, start=0.6)
    session.add("clean", "step", 4, 11.6, 11.9)
    session.close()
    text = journal_path(out).read_text()
    journal_path(out).write_bytes(data.draw(mutate.lines_edit(text)).encode("utf-8", "surrogatepass"))
    try:
        recovered = ReviewSession.open(source, "canonical", out)
    except JournalError as exc:
        _one_line(exc, journal_path(out))
        return
    recovered.close()
