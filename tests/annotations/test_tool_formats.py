"""The annotators' own tools: ELAN, Label Studio, CVAT and VIA files as the tools really wrote them
(../shared/interop_samples, each file's known counts), the real NurViD and OphNet sets out to each format
and back, what the tools' maintained libraries read of our files, pre-annotations and subtitles."""
from __future__ import annotations

import collections
import gzip
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from videokit.annotations import (
    AnnotationError,
    Segment,
    read_annotations,
    trimmed_segments,
    validate,
    write_annotations,
)
from videokit.annotations.formats._tool_files import level_names
from videokit.annotations.formats.labelstudio import _config_fps, regions
from videokit.cli import main

from ..conftest import SHARED

SAMPLES = SHARED / "interop_samples"
TINY = Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.canonical.json"
RESOLUTION = {"elan": 0.001, "labelstudio": 1 / 30, "cvat": 1 / 30, "via": 1e-5}  # seconds each format keeps


@pytest.fixture(scope="module")
def samples():
    if not SAMPLES.is_dir():
        pytest.skip(f"interop samples not found at {SAMPLES}")
    return SAMPLES


def counts(annotations):
    return {lvl: annotations.count_segments(lvl) for lvl in annotations.levels}


# ---------------------------------------------------------------------------------------- real tool files
def test_elan_files_as_elan_wrote_them(samples):
    fables = read_annotations(samples / "elan" / "speach_fables_01_03_aesop_64kb.eaf", "elan")
    assert fables.levels == ["Story", "StoryChunk"] and counts(fables) == {"Story": 16, "StoryChunk": 28}
    chunks = [s for _, s in fables.segments("StoryChunk")]
    assert all(s.parent is not None for s in chunks)  # Included_In: each chunk inside its story
    # the symbolic-association tiers under StoryChunk become attributes of its segments
    assert any("StoryChunkLanguage" in s.attrs for s in chunks)
    # the MPI sample (2.4 MB, gzipped): all four stereotypes, 1,572 time slots without a value
    sample = read_annotations(samples / "elan" / "pympi_sample_3.0.eaf.gz", "elan")
    assert counts(sample) == {"text": 399, "words-timesub": 1995}
    words = [s for _, s in sample.segments("words-timesub")]
    assert all(s.start <= s.end for s in words)
    texts = {i: s for video in sample for i, s in enumerate(video.segments) if s.level == "text"}
    video = next(iter(sample))
    assert all(texts[s.parent].start - 1e-3 <= s.start and s.end <= texts[s.parent].end + 1e-3
               for s in video.segments if s.level == "words-timesub")  # unaligned slots placed inside
    gestures = read_annotations(samples / "elan" / "pympi_sample_3.0.eaf.gz", "elan",
                                tiers="gestures=gestures")
    assert counts(gestures) == {"gestures": 1197}
    # one unaligned slot (ts62) inside a Time_Subdivision; a tier ID with spaces; empty values
    example = read_annotations(samples / "elan" / "poio-api_example.eaf", "elan", tiers="utterance=W-Spch,word=W-Words")
    assert counts(example) == {"utterance": 15, "word": 97}
    assert sum("W-POS" in s.attrs for _, s in example.segments("word")) > 0
    tibetan = read_annotations(samples / "elan" / "openpecha_elan_parser_test.eaf", "elan",
                               tiers="line=Transcription")
    assert counts(tibetan) == {"line": 7}
    assert collections.Counter(f.code for f in tibetan.findings) == {"empty-value": 3}
    with pytest.raises(AnnotationError, match="no tier 'Phrase'"):
        read_annotations(samples / "elan" / "openpecha_elan_parser_test.eaf", "elan", tiers="line=Phrase")
    turkish = read_annotations(samples / "elan" / "poio-api_turkish.eaf", "elan")
    assert counts(turkish) == {"P-Spch": 9}
    utterance = next(s for _, s in turkish.segments("P-Spch"))  # the symbolic chain word > morpheme > gloss, whole
    assert {k: utterance.attrs[k] for k in ("P-Word", "P-Morph", "P-Gloss")} == {
        "P-Word": "dün akşam koşa koşa eve geldim", "P-Morph": "dün akşam koş a koş a ev e gel di m",
        "P-Gloss": "yesterday evening run CV koş CV home DIR come PAST 1SG"}
    # ChildProject's ACLEW template: 6 speaker root tiers, each with dependents, mwu@CHI under lex@CHI
    child = read_annotations(samples / "elan" / "childproject_example.eaf", "elan")
    assert counts(child) == {"CHI": 134}
    assert collections.Counter(f.code for f in child.findings) == {"unmapped-tier": 5}  # the other speakers
    assert collections.Counter(k for _, s in child.segments("CHI") for k in s.attrs) == {"lex@CHI": 134, "mwu@CHI": 120}
    adult = read_annotations(samples / "elan" / "childproject_example.eaf", "elan", tiers="speech=FA1")
    assert counts(adult) == {"speech": 91} and all("xds@FA1" in s.attrs for _, s in adult.segments("speech"))
    assert counts(read_annotations(samples / "elan" / "clariah_Rudi_and_Mireille.eaf", "elan")) == {"RC_phrase": 26}


def test_elan_reads_as_pympi_does(samples):
    pympi = pytest.importorskip("pympi")
    eaf = pympi.Elan.Eaf(str(samples / "elan" / "speach_fables_01_03_aesop_64kb.eaf"))
    ours = read_annotations(samples / "elan" / "speach_fables_01_03_aesop_64kb.eaf", "elan")
    for tier in ("Story", "StoryChunk"):
        theirs = sorted((s / 1000, e / 1000, v) for s, e, v in eaf.get_annotation_data_for_tier(tier))
        mine = sorted((s.start, s.end, ours.taxonomy.level(tier).class_name(s.label)) for _, s in ours.segments(tier))
        assert mine == [(s, e, v.strip()) for s, e, v in theirs]


def test_label_studio_payload_with_overlapping_ranges(samples):
    tasks = read_annotations(samples / "labelstudio" / "ls-ml-backend_test_timeline_labels_1.json", "labelstudio")
    video = tasks.videos["opossum_snow_short"]
    names = tasks.taxonomy.level("videoLabels")
    # frames 1-10 and 5-15 at the config's 25 fps: 1-based, inclusive
    assert [(names.class_name(s.label), s.start, s.end) for s in video.segments] == \
        [("Car", 0.0, 0.4), ("croquet_ball", 0.16, 0.6)]
    assert video.fps == 25.0
    assert _config_fps('<View><Video name="v" value="$video" framerate="29.97"/></View>') == 29.97
    # object tracks (videorectangle), not temporal segments: one error, not an empty set
    with pytest.raises(AnnotationError, match="test_videorectangle.json: results: no TimelineLabels results"):
        read_annotations(samples / "labelstudio" / "ls-ml-backend_test_videorectangle.json", "labelstudio")


def test_label_studio_without_a_frame_rate_asks_for_one(tmp_path):
    minimal = [{"id": 7, "video": "/data/upload/a.mp4",
                "videoLabels": [{"ranges": [{"start": 1, "end": 50}], "timelinelabels": ["Incision"]}]}]
    path = tmp_path / "min.json"
    path.write_text(json.dumps(minimal))
    with pytest.raises(AnnotationError, match=r"min.json:task 7: framerate: .*--fps"):
        read_annotations(path, "labelstudio")
    json_min = read_annotations(path, "labelstudio", fps=25.0)  # the JSON-MIN export
    assert [(s.start, s.end) for _, s in json_min.segments("videoLabels")] == [(0.0, 2.0)]


def test_cvat_tracks_as_cvat_dumped_them(samples):
    dump = read_annotations(samples / "cvat" / "datumaro_for_video_annotations.xml", "cvat", fps=10)
    names = dump.taxonomy.level("action")
    # start_frame 10, step 3: frames are the source's 10 / 13 / 16; a track ends at its outside keyframe
    assert [(names.class_name(s.label), s.start, s.end) for _, s in dump.segments("action")] == \
        [("II", 1.0, 1.3), ("klhg", 1.0, 1.3), ("II", 1.3, 1.6)]
    phases = read_annotations(samples / "cvat" / "volleyball_usa-hitting.xml", "cvat", fps=30, level="phase")
    segs = [s for _, s in phases.segments("phase")]
    assert len(segs) == 20 and {c.name for c in phases.taxonomy.level("phase").classes.values()} == \
        {"approach", "jump", "swing", "land"}
    assert [(round(s.start * 30), round(s.end * 30)) for s in segs[:4]] == [(20, 40), (41, 65), (66, 82), (83, 130)]
    with pytest.raises(AnnotationError, match="--fps"):
        read_annotations(samples / "cvat" / "volleyball_usa-hitting.xml", "cvat")



def test_frames_at_each_videos_own_rate_probed_with_videos(samples, tmp_path):
    """CVAT and Label Studio count frames; where the file states no rate, --videos probes the video's own."""
    from videokit.video import FrameRates

    from ..videos import make_video

    videos = tmp_path / "videos"
    (videos / "sub").mkdir(parents=True)
    make_video(videos / "t.mp4", num_frames=20, fps=10)  # the datumaro dump's <source>
    make_video(videos / "sub" / "volleyball_usa-hitting.mp4", num_frames=10, fps=25)  # found by the file's name
    make_video(videos / "a.mp4", num_frames=10, fps=20)
    rates = FrameRates(videos)
    dump = read_annotations(samples / "cvat" / "datumaro_for_video_annotations.xml", "cvat", video_fps=rates)
    assert [(s.start, s.end) for _, s in dump.segments("action")] == [(1.0, 1.3), (1.0, 1.3), (1.3, 1.6)]
    phases = read_annotations(samples / "cvat" / "volleyball_usa-hitting.xml", "cvat", level="phase", video_fps=rates,
                              fps=30)  # the video's own rate before --fps
    assert [(s.start, s.end) for _, s in phases.segments("phase")][:2] == [(0.8, 1.6), (1.64, 2.6)]
    minimal = [{"id": 7, "video": "/data/upload/a.mp4",
                "videoLabels": [{"ranges": [{"start": 1, "end": 50}], "timelinelabels": ["Incision"]}]}]
    (tmp_path / "min.json").write_text(json.dumps(minimal))
    studio = read_annotations(tmp_path / "min.json", "labelstudio", video_fps=rates)
    assert [(s.start, s.end) for _, s in studio.segments("videoLabels")] == [(0.0, 2.5)]
    assert next(iter(studio)).fps == 20.0

    # the command line: reading, and writing frames for videos whose rate the annotations lack
    out = tmp_path / "dump.json"
    assert main(["convert", str(samples / "cvat" / "datumaro_for_video_annotations.xml"), "--from", "cvat",
                 "--videos", str(videos), "--to", "canonical", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["videos"][0]["fps"] == 10.0
    tiny = json.loads(TINY.read_text())
    for video in tiny["videos"]:
        video["fps"], video["path"] = None, "t.mp4"
    (tmp_path / "nofps.json").write_text(json.dumps(tiny))
    assert main(["convert", str(tmp_path / "nofps.json"), "--from", "canonical", "--videos", str(videos),
                 "--to", "cvat", "-o", str(tmp_path / "cvat")]) == 0
    assert all('frame_rate="10.0"' in p.read_text() for p in (tmp_path / "cvat").iterdir())
    with pytest.raises(AnnotationError, match=r"volleyball_usa-hitting.xml:meta: fps: .*--videos DIR holding"):
        read_annotations(samples / "cvat" / "volleyball_usa-hitting.xml", "cvat",
                         video_fps=FrameRates(tmp_path / "cvat"))
    with pytest.raises(SystemExit, match="--videos .*no such folder"):
        main(["convert", str(samples / "cvat" / "volleyball_usa-hitting.xml"), "--from", "cvat", "--videos",
              str(tmp_path / "nowhere"), "--to", "canonical", "-o", str(out)])

def test_via_projects_as_via_saved_them(samples):
    project = read_annotations(samples / "via" / "echo_via_project_06Oct2021_19h11m26s.json", "via")
    assert len(project) == 4 and counts(project) == {"Annodations-Echochardiography": 13}
    assert {c.name for c in project.taxonomy.levels[0].classes.values()} == {"2CV", "4CV"}
    assert [f.code for f in project.findings] == ["unused-attribute"]  # the unnamed attribute, noted
    touching = project.videos["01NVb-003-072-2 echo"].segments
    assert sorted((s.start, s.end) for s in touching)[:2] == [(0.375, 1.737), (1.737, 2.924)]
    one = read_annotations(samples / "via" / "echo_01NVb-003-070-2-4CV.json", "via")
    starts = [s.start for _, s in one.segments("4CV")]
    assert starts == [291.12287, 296.23953, 305.93953, 301.32287]  # kept as saved (out of time order)
    assert validate(one).ok


# ---------------------------------------------------------------------------------------- the real sets
@pytest.fixture(scope="module")
def real_sets(real_dir):
    return {name: read_annotations(real_dir / name, name) for name in ("nurvid", "ophnet")}


def by_class(annotations):
    out = collections.defaultdict(list)
    for video, seg in annotations.segments():
        out[(video.video_id, seg.level, seg.label)].append((seg.start, seg.end))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("fmt", ["elan", "labelstudio", "cvat", "via"])
@pytest.mark.parametrize("dataset", ["nurvid", "ophnet"])
def test_real_sets_out_to_each_tool_and_back(real_sets, dataset, fmt, tmp_path):
    source = real_sets[dataset]
    out = tmp_path / ("out.json" if fmt in ("labelstudio", "via") else "out")
    write_annotations(source, out, fmt, fps=30.0)  # OphNet publishes no frame rates: frames at 30 fps
    back = read_annotations(out, fmt)
    assert len(back) == len(source) and back.levels == source.levels
    assert counts(back) == counts(source)
    for level in source.levels:  # ids and level-unique names come back
        kept = back.taxonomy.level(level).num_classes
        assert back.taxonomy.class_names(level) == source.taxonomy.class_names(level)[:kept]
    theirs, ours = by_class(source), by_class(back)
    assert theirs.keys() == ours.keys()
    worst = max(abs(a - b) for key in theirs for x, y in zip(theirs[key], ours[key]) for a, b in zip(x, y))
    assert worst <= RESOLUTION[fmt] + 1e-6, worst  # half a frame, a whole one where a range needs one
    assert all(back.videos[v].labels == source.videos[v].labels for v in source.videos)
    for level in source.levels:  # every level's samples, OphNet's surgery per segment (a side field) included
        assert collections.Counter((t.video.video_id, t.label) for t in trimmed_segments(back, level)) == \
            collections.Counter((t.video.video_id, t.label) for t in trimmed_segments(source, level)), level
    new = collections.Counter(f.code for f in validate(back).findings) - \
        collections.Counter(f.code for f in validate(source).findings)
    # the tools keep no parent links: a segment whose middle two coarser segments hold has a guessed parent, and
    # says so (OphNet's overlapping phases); no other finding is new
    held_twice = sum(1 for v in source for k, lvl in enumerate(source.levels[1:]) for s in v.segments if s.level == lvl
                     and sum(1 for p in v.segments if p.level == source.levels[k] and
                             p.start <= (s.start + s.end) / 2 <= p.end) > 1)
    assert new.pop("ambiguous-parent", 0) == held_twice and not new, (new, held_twice)


def test_canonical_through_each_tool_keeps_what_it_can_carry(tmp_path):
    tiny = read_annotations(TINY, "canonical")
    for fmt in ("elan", "labelstudio", "cvat", "via"):
        out = tmp_path / (f"{fmt}.json" if fmt in ("labelstudio", "via") else fmt)
        write_annotations(tiny, out, fmt, fps=25.0)
        back = read_annotations(out, fmt)
        for video in tiny:
            other = back.videos[video.video_id]
            assert other.labels == video.labels, fmt
            def described(v):  # each segment with its parent's class (the order within a video is the tool's)
                return sorted((s.level, s.label, round(s.start, 2), round(s.end, 2),
                               v.segments[s.parent].label if s.parent is not None else None) for s in v.segments)
            assert described(other) == described(video), fmt
            if fmt in ("elan", "labelstudio", "cvat"):  # the video's own fields, as side fields
                assert (other.duration, other.split) == (video.duration, video.split), fmt
        assert back.taxonomy.class_names(tiny.levels[-1])[:3] == tiny.taxonomy.class_names(tiny.levels[-1])[:3]


def test_what_the_tools_libraries_read_of_our_files(real_sets, tmp_path):
    pympi = pytest.importorskip("pympi")
    webvtt = pytest.importorskip("webvtt")
    nurvid = real_sets["nurvid"]
    write_annotations(nurvid, tmp_path / "elan", "elan")
    video = nurvid.videos["--Ly-qjodoI"]
    eaf = pympi.Elan.Eaf(str(tmp_path / "elan" / "--Ly-qjodoI.eaf"))
    assert set(eaf.get_tier_names()) == {"procedure", "action"}
    assert eaf.get_parameters_for_tier("action")["PARENT_REF"] == "procedure"
    assert eaf.linguistic_types["action"]["CONSTRAINTS"] == "Included_In"
    names = nurvid.taxonomy.class_names("action")
    assert sorted(eaf.get_annotation_data_for_tier("action")) == \
        sorted((round(s.start * 1000), round(s.end * 1000), names[s.label]) for s in video.segments)
    write_annotations(nurvid, tmp_path / "vtt", "vtt")
    cues = webvtt.read(str(tmp_path / "vtt" / "--Ly-qjodoI.vtt"))
    assert len(cues) == len(video.segments)
    assert cues[0].text == f"Perineal Care › {nurvid.taxonomy.level('action').class_name(video.segments[0].label)}"
    assert cues[0].start == "00:00:10.780"
    write_annotations(nurvid, tmp_path / "srt", "srt")
    srt = webvtt.from_srt(str(tmp_path / "srt" / "--Ly-qjodoI.srt"))
    assert [c.text for c in srt] == [c.text for c in cues]



def test_subtitle_times_round_as_a_subtitle_library_does(samples, tmp_path):
    """pysubs2 wrote one cue per frame at 23.976 fps, each cue's text giving the frame's exact time: a segment
    per frame written by videokit has the same timing lines (milliseconds rounded, not cut: 42, 83, 125 ms)."""
    theirs = (samples / "vtt_srt" / "pysubs2_test_video_23.976fps.srt").read_text(encoding="utf-8-sig")
    stamps = re.findall(r"^(\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d)$", theirs, flags=re.M)
    exact = [float(t) for t in re.findall(r"\(\d+:\d\d:(\d\d(?:\.\d+)?)\) @", theirs)]
    assert len(stamps) == len(exact) == 500
    tiny = read_annotations(TINY, "canonical")
    video = next(iter(tiny))
    level = tiny.levels[-1]
    frame = 1 / 23.976
    video.segments = [Segment(level, 0, t, t + frame) for t in exact]
    video.duration = exact[-1] + frame
    tiny.videos = {video.video_id: video}
    write_annotations(tiny, tmp_path / "srt", "srt")
    ours = (tmp_path / "srt" / f"{video.video_id}.srt").read_text(encoding="utf-8")
    mine = re.findall(r"^(\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d)$", ours, flags=re.M)
    assert mine == stamps

def test_predictions_as_label_studio_pre_annotations(tmp_path):
    tiny = read_annotations(TINY, "canonical")
    for i, (_, seg) in enumerate(tiny.segments()):
        seg.attrs["score"] = round(0.5 + 0.01 * i, 2)
    code = main(["convert", str(TINY), "--from", "canonical", "--to", "labelstudio", "--as-predictions", "--fps", "25",
                 "-o", str(tmp_path / "tasks.json")])
    assert code == 0
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    assert all("predictions" in t and "annotations" not in t for t in tasks)
    regions = [r for t in tasks for r in t["predictions"][0]["result"]]
    assert all(r["origin"] == "prediction" and 0 < r["score"] <= 1 for r in regions)
    write_annotations(tiny, tmp_path / "scored.json", "labelstudio", as_predictions=True, fps=25.0)
    back = read_annotations(tmp_path / "scored.json", "labelstudio")
    assert [s.attrs.get("score") for _, s in back.segments()] == [s.attrs["score"] for _, s in tiny.segments()]
    # the labeling configuration for the taxonomy
    write_annotations(tiny, tmp_path / "config.xml", "labelstudio-config")
    root = ET.fromstring((tmp_path / "config.xml").read_text())
    controls = {c.get("name"): [label.get("value") for label in c] for c in root.iter("TimelineLabels")}
    assert list(controls) == tiny.levels
    assert controls[tiny.levels[-1]] == [tiny.taxonomy.class_names(tiny.levels[-1])[c]
                                         for c in sorted(tiny.taxonomy.level(tiny.levels[-1]).classes)]



@pytest.mark.parametrize("as_predictions", [False, True])
def test_label_studio_tasks_are_the_json_of_their_results(tmp_path, as_predictions):
    """The writer makes each task's JSON text from the values (no dict per result): the file is exactly what
    ``json.dumps`` writes for its own content, and each task's results are :func:`regions`' for its video, with
    names that need escaping (quotes, a backslash, a control character, non-ASCII), side fields of every JSON
    kind, scores and none."""
    tiny = read_annotations(TINY, "canonical")
    for level in tiny.levels:
        for n, info in enumerate(tiny.taxonomy.level(level).classes.values()):
            info.name = ['say "hi"', "back\\slash", "tab\there", "Kapselsackspannring ü", "€ 2"][n % 5] + f" {n}"
    kinds = [{"surgery_id": 3}, {"flag": True, "note": "x\"y"}, {"list": [1, 2.5, None]}, {"nested": {"a": [1]}}, {}]
    for i, (_, seg) in enumerate(tiny.segments()):
        seg.attrs = dict(kinds[i % len(kinds)])
        if i % 3:
            seg.attrs["score"] = 0.1 * (i % 7) + 1e-3
    write_annotations(tiny, tmp_path / "tasks.json", "labelstudio", as_predictions=as_predictions, tool_fps=25.0)
    text = (tmp_path / "tasks.json").read_text(encoding="utf-8")
    tasks = json.loads(text)
    assert text == json.dumps(tasks, ensure_ascii=False)
    key = "predictions" if as_predictions else "annotations"
    names = level_names(tiny)
    for task, video in zip(tasks, tiny):
        rate = float(video.fps) if video.fps else 25.0
        assert task[key][0]["result"] == regions(tiny, video, rate, as_predictions, names)
    assert any('\\"hi\\"' in line for line in text.splitlines()) and "ü" in text


def test_predictions_as_elan_and_via_pre_annotations(tmp_path, capsys):
    """ELAN and VIA have no "prediction": the model's segments are annotations an annotator corrects, each with
    its score beside it (a dependent tier / a text attribute), and ELAN's tiers name the model as annotator."""
    pympi = pytest.importorskip("pympi")
    tiny = read_annotations(TINY, "canonical")
    for i, (_, seg) in enumerate(tiny.segments()):
        seg.attrs["score"] = round(0.5 + 0.01 * i, 2)
    write_annotations(tiny, tmp_path / "pred.json", "canonical")
    for fmt, out in (("elan", tmp_path / "elan"), ("via", tmp_path / "via.json")):
        assert main(["convert", str(tmp_path / "pred.json"), "--from", "canonical", "--to", fmt, "--as-predictions",
                     "-o", str(out)]) == 0
        back = read_annotations(out, fmt)
        scores = lambda a: sorted((v.video_id, s.level, s.start, s.attrs.get("score")) for v, s in a.segments())  # noqa
        assert scores(back) == scores(tiny), fmt
    video = next(iter(tiny))
    eaf = pympi.Elan.Eaf(str(tmp_path / "elan" / f"{video.video_id}.eaf"))
    level = tiny.levels[-1]
    assert eaf.get_parameters_for_tier(level)["ANNOTATOR"] == "videokit model (pre-annotations)"
    assert eaf.get_parameters_for_tier(f"videokit-score:{level}")["PARENT_REF"] == level
    refs = eaf.tiers[f"videokit-score:{level}"][1]  # its reference annotations: (the segment's id, value, ...)
    aligned = eaf.tiers[level][0]
    assert all(ref in aligned for ref, *_ in refs.values())  # each score under its own segment
    assert sorted(float(value) for _, value, *_ in refs.values()) == \
        sorted(s.attrs["score"] for s in video.segments if s.level == level)
    project = json.loads((tmp_path / "via.json").read_text())
    assert project["project"]["pname"].endswith("(pre-annotations by a model)")
    assert any(a["aname"] == "videokit_score" for a in project["attribute"].values())
    # ground truth: no score tier / attribute at all; a format without pre-annotations: one error
    write_annotations(read_annotations(TINY, "canonical"), tmp_path / "gt", "elan")
    assert "videokit-score" not in (tmp_path / "gt" / f"{video.video_id}.eaf").read_text()
    assert main(["convert", str(tmp_path / "pred.json"), "--from", "canonical", "--to", "cvat", "--as-predictions",
                 "--fps", "25", "-o", str(tmp_path / "cvat")]) == 2
    assert "--as-predictions: pre-annotations are written for labelstudio, elan and via, not cvat" in \
        capsys.readouterr().err and not (tmp_path / "cvat").exists()

def test_tool_values_map_to_a_given_taxonomy(samples, tmp_path):
    tiny = read_annotations(TINY, "canonical")
    write_annotations(tiny, tmp_path / "elan", "elan")
    eaf = tmp_path / "elan" / "v1.eaf"
    eaf.write_text(eaf.read_text().replace('CVE_REF="vk_', 'CVE_REF="x_'))  # as if retyped by hand
    text = eaf.read_text()
    first_value = text.split("<ANNOTATION_VALUE>")[2].split("<")[0]
    eaf.write_text(text.replace(f"<ANNOTATION_VALUE>{first_value}<", "<ANNOTATION_VALUE>no such class<", 1))
    mapped = read_annotations(tmp_path / "elan", "elan", taxonomy=tiny.taxonomy)
    unknown = [f for f in mapped.findings if f.code == "unknown-class"]
    assert len(unknown) == 1 and unknown[0].value == "no such class" and "annotation a" in unknown[0].record
    assert mapped.taxonomy.class_names(tiny.levels[-1]) == tiny.taxonomy.class_names(tiny.levels[-1])


def test_the_pympi_sample_file_is_the_published_one(samples):
    data = gzip.decompress((samples / "elan" / "pympi_sample_3.0.eaf.gz").read_bytes())
    import hashlib

    assert hashlib.sha256(data).hexdigest() == "05a396cd3c80f14ed091159bb24c49c3ad7f4860eb5581b10b1d29566466375e"


def test_a_malformed_tool_file_is_one_error_naming_the_record(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text('<annotations><track id="7" label="a"><box frame="x" outside="0"/></track></annotations>')
    with pytest.raises(AnnotationError, match=r"bad.xml:track 7: frame: expected an integer \('x'\)"):
        read_annotations(bad, "cvat", fps=25.0)
    (tmp_path / "bad.eaf").write_text("not xml")
    with pytest.raises(AnnotationError, match=r"bad.eaf:line 1: xml: not an ELAN file"):
        read_annotations(tmp_path / "bad.eaf", "elan")
    assert main(["convert", str(bad), "--from", "cvat", "--fps", "25", "--to", "canonical",
                 "-o", str(tmp_path / "out.json")]) == 1
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("where", ["in its vocabularies", "before its last line"])
def test_an_elan_file_cut_in_its_vocabularies_is_an_error(real_sets, where, tmp_path):
    """The files of an ELAN export share their vocabularies, which the reader parses once; a later file whose
    vocabulary bytes are not those of the file before (here: cut short) is parsed whole, and its error found."""
    out = tmp_path / "elan"
    write_annotations(real_sets["nurvid"], out, "elan")
    target = sorted(out.iterdir())[len(list(out.iterdir())) // 2]
    data = target.read_bytes()
    start = data.index(b"<CONTROLLED_VOCABULARY")
    target.write_bytes(data[:start + 100] if where == "in its vocabularies"
                       else data[:-len(b"</ANNOTATION_DOCUMENT>\n")])
    with pytest.raises(AnnotationError, match=re.escape(target.name) + r":line \d+: xml: not an ELAN file"):
        read_annotations(out, "elan")


@pytest.mark.parametrize("count", [0, 1, 7, 5000])
def test_via_metadata_ids_drawn_in_bulk_are_those_of_random_choice(count):
    """VIA's metadata ids are drawn in bulk; they must be the ids one ``choice`` per character draws (the
    written projects' bytes depend on it)."""
    import random

    from videokit.annotations.formats.via import ID_CHARACTERS, random_ids

    rng = random.Random(0)
    one_at_a_time = ["".join(rng.choice(ID_CHARACTERS) for _ in range(8)) for _ in range(count)]
    assert random_ids(count) == one_at_a_time
    rng = random.Random(7)
    fifteen = "".join(rng.choice(ID_CHARACTERS) for _ in range(15))
    assert random_ids(3, length=5, seed=7) == [fifteen[:5], fifteen[5:10], fifteen[10:]]
