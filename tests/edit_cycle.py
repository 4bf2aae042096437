"""The annotator's edit cycle, shared by the offline tests (ELAN, CVAT, VIA) and the live Label Studio ones:
a subset of whole real videos (every repeated-name class and the zero-length segment kept), one edit of each
kind chosen on it, the edit made in each tool's own terms, and the edit ``videokit compare`` must list."""
from __future__ import annotations

import copy
import math
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from videokit.annotations import AnnotationSet, Segment
from videokit.evaluation.agreement import compare

FPS = 25.0
EDITS = ("relabel", "relabel_repeated", "move", "delete", "add", "split", "merge")
Span = Tuple[float, float, str]


def subset(annotations: AnnotationSet, count: int = 3) -> AnnotationSet:
    """``count`` whole videos, plus those holding a repeated-name class or a zero-length segment."""
    must: List[str] = []
    for level in annotations.taxonomy.levels:
        names = Counter(c.name for c in level.classes.values())
        repeated = {cid for cid, c in level.classes.items() if names[c.name] > 1}
        for cid in sorted(repeated):
            holder = next((v.video_id for v in annotations
                           if any(s.level == level.name and s.label == cid for s in v.segments)), None)
            if holder and holder not in must:
                must.append(holder)
    must += [v.video_id for v in annotations if any(s.end == s.start for s in v.segments) and v.video_id not in must]
    keep = must + [vid for vid in annotations.videos if vid not in must][:count]
    videos = {vid: copy.deepcopy(annotations.videos[vid]) for vid in keep}
    for video in videos.values():
        video.fps = video.fps or FPS
    return AnnotationSet(annotations.taxonomy, videos, annotations.source)


@dataclass
class Edit:
    """One edit on one segment (``index``) of one video, in seconds and class ids, and what compare must list."""

    kind: str
    video: str
    level: str
    index: int  # the segment edited (merge: the first of the two)
    start: float = 0.0  # move / add: the new times; split: ``start`` is where it is cut
    end: float = 0.0
    label: Optional[int] = None  # relabel / add: the class
    second: Optional[int] = None  # merge: the other segment's index

    def expected(self, annotations: AnnotationSet) -> Tuple[str, List[Span], List[Span]]:
        names = annotations.taxonomy.class_names(self.level)
        seg = annotations.videos[self.video].segments[self.index]
        old = (seg.start, seg.end, names[seg.label])
        if self.kind in ("relabel", "relabel_repeated"):
            return "relabel", [old], [(seg.start, seg.end, names[self.label])]
        if self.kind == "move":
            return "move", [old], [(self.start, self.end, names[seg.label])]
        if self.kind == "delete":
            return "delete", [old], []
        if self.kind == "add":
            return "add", [], [(self.start, self.end, names[self.label])]
        if self.kind == "split":
            return "split", [old], [(seg.start, self.start, old[2]), (self.start, seg.end, old[2])]
        other = annotations.videos[self.video].segments[self.second]
        return "merge", [old, (other.start, other.end, names[other.label])], [(seg.start, other.end, old[2])]


def choose(annotations: AnnotationSet, kind: str) -> Tuple[AnnotationSet, Edit]:
    """The set to write (for a merge: the target already split in two, as an annotator finds it) and the edit."""
    level = annotations.levels[-1]
    plain = Counter(c.name for c in annotations.taxonomy.level(level).classes.values())
    zero = {v.video_id for v in annotations if any(s.end == s.start for s in v.segments)}
    uses = Counter(s.label for v in annotations for s in v.segments if s.level == level)

    def fits(s: Segment) -> bool:  # long enough to move and cut; of a class other segments use too
        return s.level == level and s.end - s.start >= 6 and uses[s.label] > 1

    video = next(v for v in annotations if v.video_id not in zero and any(fits(s) for s in v.segments))
    index = next(i for i, s in enumerate(video.segments) if fits(s))
    seg = video.segments[index]
    used = {s.label for s in video.segments if s.level == level}
    middle = float(round((seg.start + seg.end) / 2))
    if kind == "relabel":  # to a class no segment of the set has: the file knows it only by the name shown
        label = next(cid for cid in sorted(annotations.taxonomy.level(level).classes)
                     if cid not in uses and plain[annotations.taxonomy.level(level).classes[cid].name] == 1)
        return annotations, Edit(kind, video.video_id, level, index, label=label)
    if kind == "relabel_repeated":
        repeated = [cid for cid, c in sorted(annotations.taxonomy.level(level).classes.items())
                    if plain[c.name] > 1 and cid != seg.label]
        if not repeated:
            return annotations, None  # type: ignore[return-value]
        return annotations, Edit(kind, video.video_id, level, index, label=repeated[-1])
    if kind == "move":
        return annotations, Edit(kind, video.video_id, level, index, float(math.floor(seg.start) + 1),
                                 float(math.ceil(seg.end) - 1))
    if kind == "delete":
        return annotations, Edit(kind, video.video_id, level, index)
    if kind == "add":
        label = next(cid for cid in sorted(annotations.taxonomy.level(level).classes) if cid not in used)
        return annotations, Edit(kind, video.video_id, level, index, middle - 1.0, middle + 1.0, label=label)
    if kind == "split":
        return annotations, Edit(kind, video.video_id, level, index, middle)
    # merge: the annotator finds the segment in two pieces and joins them
    before = AnnotationSet(annotations.taxonomy, copy.deepcopy(annotations.videos), annotations.source)
    pieces = before.videos[video.video_id].segments
    first = pieces[index]
    pieces.append(Segment(level, first.label, middle, first.end, first.parent, {}, dict(first.attrs)))
    first.end = middle
    return before, Edit(kind, video.video_id, level, index, second=len(pieces) - 1)


def chosen(annotations: AnnotationSet, kind: str) -> Tuple[AnnotationSet, Edit]:
    """:func:`choose`, or the test skipped with the reason where the set has no such edit to make."""
    import pytest

    before, edit = choose(annotations, kind)
    if edit is None:
        pytest.skip(f"{annotations.source}: no class whose name repeats at level {annotations.levels[-1]}")
    return before, edit


def listed_edits(before: AnnotationSet, after: AnnotationSet) -> List[Tuple[str, List[Span], List[Span]]]:
    """What ``videokit compare BEFORE AFTER`` lists as edits, every level."""
    return [(e.kind, e.before, e.after) for result in compare(before, after) for e in result.edits]


def same_edit(got: Tuple[str, List[Span], List[Span]], want: Tuple[str, List[Span], List[Span]],
              tolerance: float) -> bool:
    """One edit equal to another: the kind, the classes, the times within ``tolerance``."""
    if got[0] != want[0] or len(got[1]) != len(want[1]) or len(got[2]) != len(want[2]):
        return False
    return all(a[2] == b[2] and abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance
               for side in (1, 2) for a, b in zip(sorted(got[side]), sorted(want[side])))


# ------------------------------------------------------------------------------------- Label Studio
def frames(seconds: float, fps: float) -> int:
    return int(round(seconds * fps))


def edit_label_studio_result(result: List[Dict[str, Any]], edit: Edit, annotations: AnnotationSet,
                             fps: float) -> List[Dict[str, Any]]:
    """The regions after the edit, as Label Studio's editor leaves them: a relabelled or resized region keeps its
    id and meta; a new region (added, or the second half of a split) has neither."""
    result = copy.deepcopy(result)
    names = annotations.taxonomy.class_names(edit.level)
    by_id = {region["id"]: region for region in result}
    region = by_id.get(f"vk{edit.index}")

    def new_region(name: str, start: float, end: float) -> Dict[str, Any]:
        return {"id": f"new{len(result)}", "type": "timelinelabels", "from_name": edit.level, "to_name": "video",
                "origin": "manual", "value": {"ranges": [{"start": frames(start, fps) + 1, "end": frames(end, fps)}],
                                              "timelinelabels": [name]}}

    if edit.kind in ("relabel", "relabel_repeated"):
        region["value"]["timelinelabels"] = [names[edit.label]]
    elif edit.kind == "move":
        region["value"]["ranges"] = [{"start": frames(edit.start, fps) + 1, "end": frames(edit.end, fps)}]
    elif edit.kind == "delete":
        result.remove(region)
    elif edit.kind == "add":
        result.append(new_region(names[edit.label], edit.start, edit.end))
    elif edit.kind == "split":
        end = region["value"]["ranges"][0]["end"]
        region["value"]["ranges"][0]["end"] = frames(edit.start, fps)
        piece = new_region(region["value"]["timelinelabels"][0], edit.start, 0)
        piece["value"]["ranges"][0]["end"] = end
        result.append(piece)
    elif edit.kind == "merge":
        other = by_id[f"vk{edit.second}"]
        region["value"]["ranges"][0]["end"] = other["value"]["ranges"][0]["end"]
        result.remove(other)
    return result


# ------------------------------------------------------------------------------------- CVAT
def edit_cvat(xml_text: str, edit: Edit, annotations: AnnotationSet, fps: float) -> str:
    """The file as CVAT exports the edited task: a relabelled track carries the new label, a moved one its new
    keyframes, a split track ends where the new one starts, merged tracks are one track."""
    root = ET.fromstring(xml_text)
    names = annotations.taxonomy.class_names(edit.level)
    tracks = {track.get("id"): track for track in root.iter("track")}
    track = tracks.get(str(edit.index))

    def boxes(element: ET.Element, first: int, last: int) -> None:
        template = element.find("box")
        for box in list(element.iter("box")):
            element.remove(box)
        for frame, outside in ((first, "0"), (last, "1")):
            box = copy.deepcopy(template)
            box.set("frame", str(frame))
            box.set("outside", outside)
            element.append(box)

    if edit.kind in ("relabel", "relabel_repeated"):
        track.set("label", f"{edit.level}: {names[edit.label]}")
    elif edit.kind == "move":
        boxes(track, frames(edit.start, fps), frames(edit.end, fps))
    elif edit.kind == "delete":
        root.remove(track)
    elif edit.kind in ("add", "split"):
        new = copy.deepcopy(track)
        new.set("id", str(max(int(t) for t in tracks) + 1))
        if edit.kind == "add":
            new.set("label", f"{edit.level}: {names[edit.label]}")
            for attribute in list(new.iter("attribute")):  # a new track: no attribute values
                for box in new.iter("box"):
                    if attribute in list(box):
                        box.remove(attribute)
            boxes(new, frames(edit.start, fps), frames(edit.end, fps))
        else:
            last = max(int(b.get("frame")) for b in track.iter("box"))
            boxes(track, min(int(b.get("frame")) for b in track.iter("box")), frames(edit.start, fps))
            boxes(new, frames(edit.start, fps), last)
        root.append(new)
    elif edit.kind == "merge":
        other = tracks[str(edit.second)]
        first = min(int(b.get("frame")) for b in track.iter("box"))
        last = max(int(b.get("frame")) for b in other.iter("box"))
        middle = min(int(b.get("frame")) for b in other.iter("box"))
        boxes(track, first, last)
        keyframe = copy.deepcopy(track.find("box"))  # the second track's first box, now inside the first
        keyframe.set("frame", str(middle))
        track.insert(1, keyframe)
        root.remove(other)
    return ET.tostring(root, encoding="unicode")


# ------------------------------------------------------------------------------------- VIA
def edit_via(project: Dict[str, Any], edit: Edit, annotations: AnnotationSet) -> Dict[str, Any]:
    """The project as VIA saves it after the edit (a segment is a metadata entry: ``z`` its times, ``av`` its
    attribute values; a relabel picks another option)."""
    project = copy.deepcopy(project)
    level_aid = next(aid for aid, a in project["attribute"].items() if a["aname"] == edit.level)
    vid = next(v for v, f in project["file"].items() if f["fname"].rsplit("/", 1)[-1].rsplit(".", 1)[0] == edit.video
               or f["fname"] == annotations.videos[edit.video].path)
    video = annotations.videos[edit.video]

    def find(index: int) -> str:
        seg = video.segments[index]
        return next(key for key, m in project["metadata"].items() if m["vid"] == vid and
                    m["av"].get(level_aid) == str(seg.label) and
                    abs(m["z"][0] - seg.start) < 1e-4 and abs(m["z"][1] - seg.end) < 1e-4)

    metadata = project["metadata"]
    if edit.kind in ("relabel", "relabel_repeated"):
        metadata[find(edit.index)]["av"][level_aid] = str(edit.label)
    elif edit.kind == "move":
        metadata[find(edit.index)]["z"] = [edit.start, edit.end]
    elif edit.kind == "delete":
        del metadata[find(edit.index)]
    elif edit.kind == "add":
        metadata[f"{vid}_added"] = {"vid": vid, "flg": 0, "z": [edit.start, edit.end], "xy": [],
                                    "av": {level_aid: str(edit.label)}}
    elif edit.kind == "split":
        key = find(edit.index)
        piece = copy.deepcopy(metadata[key])
        piece["z"] = [edit.start, metadata[key]["z"][1]]
        metadata[key]["z"][1] = edit.start
        metadata[f"{vid}_split"] = piece
    elif edit.kind == "merge":
        key, other = find(edit.index), find(edit.second)
        metadata[key]["z"][1] = metadata[other]["z"][1]
        del metadata[other]
    return project


# ------------------------------------------------------------------------------------- ELAN (pympi-ling)
def edit_elan(path: str, edit: Edit, annotations: AnnotationSet) -> None:
    """The ``.eaf`` edited with pympi-ling's calls and saved by it (it keeps the vocabularies, and writes no
    vocabulary reference on annotations: a relabelled value stands alone)."""
    import pympi

    eaf = pympi.Elan.Eaf(path)
    names = annotations.taxonomy.class_names(edit.level)
    video = annotations.videos[edit.video]
    aligned = eaf.tiers[edit.level][0]

    def find(index: int) -> str:
        seg = video.segments[index]
        return next(aid for aid, (ts1, ts2, value, _) in aligned.items() if value == names[seg.label]
                    and eaf.timeslots[ts1] == round(seg.start * 1000) and eaf.timeslots[ts2] == round(seg.end * 1000))

    def delete(aid: str) -> None:
        del aligned[aid]
        for tier in eaf.tiers.values():  # its dependents go with it, as in ELAN
            for ref in [r for r, (target, *_) in tier[1].items() if target == aid]:
                del tier[1][ref]

    if edit.kind in ("relabel", "relabel_repeated"):
        aid = find(edit.index)
        ts1, ts2, _, svg = aligned[aid]
        aligned[aid] = (ts1, ts2, names[edit.label], svg)
    elif edit.kind == "move":
        ts1, ts2, _, _ = aligned[find(edit.index)]
        eaf.timeslots[ts1], eaf.timeslots[ts2] = round(edit.start * 1000), round(edit.end * 1000)
    elif edit.kind == "delete":
        delete(find(edit.index))
    elif edit.kind == "add":
        eaf.add_annotation(edit.level, round(edit.start * 1000), round(edit.end * 1000), names[edit.label])
    elif edit.kind == "split":
        ts1, ts2, value, _ = aligned[find(edit.index)]
        end = eaf.timeslots[ts2]
        eaf.timeslots[ts2] = round(edit.start * 1000)
        eaf.add_annotation(edit.level, round(edit.start * 1000), end, value)
    elif edit.kind == "merge":
        first, second = find(edit.index), find(edit.second)
        end = eaf.timeslots[aligned[second][1]]
        delete(second)
        eaf.timeslots[aligned[first][1]] = end
    eaf.to_file(path)
