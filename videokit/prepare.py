"""From the download a user has to what the configs read: ``videokit prepare`` (it joins the annotations and
the video files, the two stages below it).

NurViD comes from YouTube (a download made today lacks many videos) and OphNet's CSVs carry no
durations. :func:`prepare_dataset` takes the published annotations and a folder of downloaded videos,
finds which are present, probes them (parallel, resumable: ``OUT/meta.csv``), fills durations and fps
from the files, validates the annotations against those real durations, optionally re-encodes the
usable videos, and writes ``OUT/annotations.json`` (canonical, usable videos only) with a report of what
is present, absent and unreadable per split, the usable segments per level and split, and the hours.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import pandas as pd

from .annotations import AnnotationError, AnnotationSet, trimmed_segments, validate, write_annotations
from .annotations.timeline import video_file
from .utils import PathLike, atomic_write_text
from .video.preprocess import preprocess
from .video.probe import probe_files


@dataclass
class PrepareReport:
    """What :func:`prepare_dataset` found and wrote."""

    out_dir: Path
    video_root: Path
    annotations: Path
    #: per split: videos, present, absent, unreadable, usable, hours (of the usable videos)
    videos: pd.DataFrame
    #: usable segments, rows = level, columns = split
    segments: pd.DataFrame
    errors: int = 0
    warnings: int = 0
    findings: List[str] = field(default_factory=list)

    def table(self) -> str:
        """The report as text (what ``videokit prepare`` prints and writes to ``report.txt``)."""
        lines = ["videos per split:", self.videos.rename_axis(None).to_string(float_format=lambda x: f"{x:.2f}"),
                 "", "usable segments per level and split:", self.segments.rename_axis(None).to_string(), "",
                 f"validation against the real durations: {self.errors} error(s), {self.warnings} warning(s)"]
        return "\n".join(lines)

    def to_dict(self) -> Dict[str, object]:
        return {"annotations": str(self.annotations), "video_root": str(self.video_root),
                "videos": self.videos.reset_index().to_dict("records"),
                "segments": {level: row.to_dict() for level, row in self.segments.iterrows()},
                "validation": {"errors": self.errors, "warnings": self.warnings}}


def prepare_dataset(annotations: AnnotationSet, video_dir: PathLike, out_dir: PathLike, workers: int = 2,
                    short_side: Optional[int] = None, fps: Optional[float] = None, gop: Optional[int] = None,
                    progress: bool = True) -> PrepareReport:
    """Probe, fill, validate, optionally preprocess, and write the usable part of ``annotations``.

    Raises :class:`AnnotationError` (nothing but ``meta.csv`` written) when validation against the real
    durations finds errors, or when no annotated video is present and readable.
    """
    video_dir, out_dir = Path(video_dir), Path(out_dir)
    if not video_dir.is_dir():
        raise FileNotFoundError(f"{video_dir}: no such folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    videos = list(annotations)
    present = [v for v in videos if (video_dir / video_file(v)).is_file()]
    absent = [v for v in videos if not (video_dir / video_file(v)).is_file()]
    meta = probe_files([video_dir / video_file(v) for v in present], video_dir, out_dir / "meta.csv",
                       workers=workers, progress=progress)
    meta = meta[meta.path.isin({video_file(v) for v in present})]
    errors = {row.path: row.error for row in meta.itertuples() if isinstance(row.error, str) and row.error}
    unreadable = [v for v in present if video_file(v) in errors]
    usable_ids = [v.video_id for v in present if video_file(v) not in errors]
    if not usable_ids:
        raise AnnotationError(str(video_dir), None, "videos",
                              f"none of the {len(videos)} annotated videos is present and readable here "
                              f"({len(absent)} absent, {len(unreadable)} unreadable)")
    usable = AnnotationSet(annotations.taxonomy, {i: annotations.videos[i] for i in usable_ids},
                           annotations.source, [])
    table = meta[~meta.path.isin(errors)][["path", "duration", "fps"]]
    by_path = {video_file(v): v.video_id for v in usable}
    usable.apply_metadata(table.assign(video_id=table.path.map(by_path)).drop(columns="path"), overwrite=True)

    report = validate(usable)
    findings = [f"{f.severity}: {f}" for f in report.findings]
    atomic_write_text(out_dir / "findings.txt", "".join(line + "\n" for line in findings))
    if report.errors:
        raise AnnotationError(str(out_dir / "findings.txt"), None, "annotations",
                              f"{len(report.errors)} error(s) against the real video durations, e.g. "
                              f"{report.errors[0]}")
    video_root = video_dir
    if short_side or fps:

        video_root = out_dir / "videos"
        converted = preprocess(video_dir, video_root, short_side=short_side, fps=fps, gop=gop, workers=workers,
                               progress=progress, files=[video_dir / video_file(v) for v in usable])
        converted = converted[converted.error.isna()]
        done = set(converted.path)
        failed = [v.video_id for v in usable if str(Path(video_file(v)).with_suffix(".mp4")) not in done]
        for video_id in failed:  # ffmpeg failed on it: not usable in the re-encoded copy
            del usable.videos[video_id]
        for video in usable:
            video.path = str(Path(video_file(video)).with_suffix(".mp4"))
        new = converted[["path", "duration", "fps"]]
        usable.apply_metadata(new.assign(video_id=new.path.map({v.path: v.video_id for v in usable}))
                              .dropna(subset=["video_id"]).drop(columns="path"), overwrite=True)
        unreadable += [annotations.videos[i] for i in failed]
    ann_path = out_dir / "annotations.json"
    write_annotations(usable, ann_path, "canonical")
    atomic_write_text(out_dir / "missing_videos.txt", "".join(f"{video_dir / video_file(v)}\n" for v in absent))
    atomic_write_text(out_dir / "unreadable_videos.txt",
                      "".join(f"{video_dir / video_file(v)}: {errors.get(video_file(v), 'ffmpeg failed')}\n"
                              for v in unreadable))
    result = PrepareReport(out_dir, video_root, ann_path, _video_table(annotations, absent, unreadable, usable),
                           _segment_table(usable), len(report.errors), len(report.warnings), findings)
    atomic_write_text(out_dir / "report.json", json.dumps(result.to_dict(), indent=1))
    atomic_write_text(out_dir / "report.txt", result.table() + "\n")
    return result


def _video_table(annotations: AnnotationSet, absent, unreadable, usable: AnnotationSet) -> pd.DataFrame:
    splits = annotations.splits()
    if not splits or any(not v.split for v in annotations):
        splits.append(None)  # OphNet: the surgery-labelled videos outside the localization splits
    gone, broken = {v.video_id for v in absent}, {v.video_id for v in unreadable}
    rows = []
    for split in splits:
        ids = [v.video_id for v in annotations.subset(split)] if split else \
            [v.video_id for v in annotations if not v.split]
        ok = [usable.videos[i] for i in ids if i in usable.videos]
        rows.append({"split": split or "no split", "videos": len(ids), "present": sum(i not in gone for i in ids),
                     "absent": sum(i in gone for i in ids), "unreadable": sum(i in broken for i in ids),
                     "usable": len(ok), "hours": sum(v.duration or 0.0 for v in ok) / 3600})
    table = pd.DataFrame(rows).set_index("split")
    table.loc["total"] = table.sum()
    return table.astype({c: int for c in table.columns if c != "hours"})


def _segment_table(usable: AnnotationSet) -> pd.DataFrame:
    # a segment may have a split of its own (NurViD's task-2 lists), so look at both
    splits = sorted(set(usable.splits()) | {s for _, seg in usable.segments() for s in (seg.splits or {}).values()
                                            if s}) or [None]
    counts = {level: {split or "all": len(trimmed_segments(usable, level, split)) for split in splits}
              for level in usable.levels}
    table = pd.DataFrame(counts).T
    table["total"] = table.sum(axis=1)
    table.index.name = "level"
    return table
