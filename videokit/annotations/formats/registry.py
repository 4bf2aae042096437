"""What each annotation format is and takes: its reader, its writer and the options each accepts, every option
with a one-line meaning.

:func:`videokit.annotations.read_annotations` / ``write_annotations`` pass a caller's options through
:meth:`Format.reader_options` / :meth:`Format.writer_options`, and the CLI builds its flags from :data:`OPTIONS`,
so no caller has to know which format takes which option. Adding a format is one module and one entry in
:data:`FORMATS`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from ..errors import AnnotationError
from . import activitynet, canonical, cvat, elan, frames, labelstudio, mmaction, nurvid, ophnet, subtitles, tables, via


@dataclass(frozen=True)
class Option:
    """One keyword a reader or writer takes: the command line's flag for it and what it means."""

    name: str
    flag: Optional[str]  # None: a library-only option
    help: str
    type: Callable[[str], Any] = str
    choices: Optional[Tuple[str, ...]] = None
    metavar: Optional[str] = None


#: every option a reader or writer takes, by keyword; the CLI's flags come from here
OPTIONS: Dict[str, Option] = {option.name: option for option in (
    Option("variant", "--variant", "OphNet folder: which operation table to read or write (all, challenge)",
           choices=("all", "challenge")),
    Option("style", "--style", "mmaction list style: video or segments (reading), also clips (writing)",
           choices=("video", "segments", "clips")),
    Option("level", "--level", "the taxonomy level: the one to write (default: the finest); mmaction / ActivityNet /"
                               " CVAT: the name of the level read"),
    Option("subset", "--subset", "only this split (e.g. train)"),
    Option("tool_fps", "--tool-fps", "Label Studio / CVAT: the frame rate a tool's frame numbers count in, for videos "
                                     "whose rate neither the file, the annotations nor --videos gives",
           type=float, metavar="FPS"),
    Option("label_fps", "--label-fps", "frames: per-frame labels per second (default 1)", type=float,
           metavar="FPS"),
    Option("video_fps", "--videos", "the videos: Label Studio / CVAT frames count at each video's own rate, probed "
                                    "from its file here where the file does not state one", metavar="DIR"),
    Option("tiers", "--tiers", "ELAN: which tier is which level, coarse to fine (default: the tier hierarchy)",
           metavar="LEVEL=TIER,..."),
    Option("annotator", "--completed-by", "Label Studio: read this annotator's work (a user id or e-mail, the "
                                          "export's completed_by / annotator); needed where several people annotated "
                                          "a task", metavar="ID"),
    Option("taxonomy", "--taxonomy", "map a tool's label values to this taxonomy's classes (a taxonomy.csv or "
                                     "canonical JSON); unknown values are errors naming the record (default: each "
                                     "value is a class)", metavar="FILE"),
    Option("as_predictions", "--as-predictions", "model output as pre-annotations an annotator corrects: Label "
                                                 "Studio predictions (with their scores); ELAN tiers marked as a "
                                                 "model's; a VIA project named so", type=bool),
    Option("indent", None, "canonical: the JSON's indentation (default: one line)", type=int),
)}


@dataclass(frozen=True)
class Format:
    """One annotation format: its reader and writer (either may be absent) and the options each takes.

    ``read_back``: the reader that checks a written file before it is moved into place (default: ``read``; none
    for what no videokit reader takes), with the write options it shares (``read_back_options``) and their values
    where the write was not given them. ``frame_based``: the format counts time in frames, so each video's frame
    rate is needed. ``renamed``: older keyword names still accepted, with the one each now is."""

    name: str
    summary: str
    read: Optional[Callable] = None
    write: Optional[Callable] = None
    read_options: Tuple[str, ...] = ()
    write_options: Tuple[str, ...] = ()
    read_back: Optional[Callable] = None
    read_back_options: Tuple[str, ...] = ()
    read_back_defaults: Mapping[str, Any] = field(default_factory=dict)
    frame_based: bool = False
    renamed: Mapping[str, str] = field(default_factory=dict)

    def reader_options(self, given: Mapping[str, Any], where: Any = None) -> Dict[str, Any]:
        """The options of ``given`` this format's reader takes (``None`` values left out)."""
        return self._pick(given, self.read_options, where)

    def writer_options(self, given: Mapping[str, Any], where: Any = None) -> Dict[str, Any]:
        """The options of ``given`` this format's writer takes (``None`` values left out)."""
        return self._pick(given, self.write_options, where)

    def _pick(self, given: Mapping[str, Any], accepted: Tuple[str, ...], where: Any) -> Dict[str, Any]:
        """Options another format takes are left out (one call can serve several formats); a name no format
        takes is one error, so a misspelt option never passes unnoticed."""
        picked = {}
        for key, value in given.items():
            if key in self.renamed:
                warnings.warn(f"videokit: the {self.name} option {key!r} is now {self.renamed[key]!r}",
                              DeprecationWarning, stacklevel=4)
                key = self.renamed[key]
            if key not in OPTIONS and key not in _RENAMED:
                raise AnnotationError(where, None, key, f"no annotation format takes this option; the options are "
                                                        f"{sorted(OPTIONS)}")
            if key in accepted and value is not None:
                picked.setdefault(key, value)
        return picked


_TOOL_READ = ("taxonomy",)
FORMATS: Dict[str, Format] = {f.name: f for f in (
    Format("nurvid", "a NurViD folder as published (JSON + task lists)", nurvid.read, nurvid.write),
    Format("ophnet", "an OphNet folder or one of its CSVs", ophnet.read, ophnet.write, ("variant",), ("variant",),
           read_back_options=("variant",), read_back_defaults={"variant": "all"}),
    Format("anet", "ActivityNet JSON, one level", activitynet.read, activitynet.write, ("level",),
           ("level", "subset")),
    Format("mmaction", "mmaction2 annotation lists", mmaction.read, mmaction.write, ("style", "level"),
           ("style", "level", "subset"), read_back_options=("style",)),
    Format("canonical", "videokit's own JSON: the whole hierarchy", canonical.read, canonical.write,
           write_options=("indent",)),
    Format("labelstudio", "Label Studio tasks / exports (frames)", labelstudio.read, labelstudio.write,
           ("tool_fps", "video_fps", "annotator") + _TOOL_READ, ("subset", "as_predictions", "tool_fps"),
           frame_based=True, renamed={"fps": "tool_fps"}),
    Format("labelstudio-config", "a Label Studio labeling configuration", write=labelstudio.write_config,
           read_back=labelstudio.read_config),
    Format("elan", "ELAN .eaf files, one per video", elan.read, elan.write, ("tiers",) + _TOOL_READ,
           ("subset", "as_predictions")),
    Format("cvat", "CVAT for video XML, one per video (frames)", cvat.read, cvat.write,
           ("tool_fps", "video_fps", "level") + _TOOL_READ, ("subset", "tool_fps"), frame_based=True,
           renamed={"fps": "tool_fps"}),
    Format("via", "a VIA 3 project", via.read, via.write, _TOOL_READ, ("subset", "as_predictions")),
    Format("frames", "per-frame label arrays (.npz)", write=frames.write,
           write_options=("level", "label_fps", "subset"), renamed={"fps": "label_fps"}),
    Format("vtt", "WebVTT subtitles", write=subtitles.write_vtt, write_options=("level", "subset")),
    Format("srt", "SubRip subtitles", write=subtitles.write_srt, write_options=("level", "subset")),
    Format("taxonomy", "the class table (CSV)", write=tables.write_taxonomy, read_back=tables.read_taxonomy),
    Format("splits", "the video splits table (CSV)", write=tables.write_splits),
)}
_RENAMED = {old for f in FORMATS.values() for old in f.renamed}

#: the readers and writers by format name (what ``read_annotations`` / ``write_annotations`` call)
READERS: Dict[str, Callable] = {f.name: f.read for f in FORMATS.values() if f.read}
WRITERS: Dict[str, Callable] = {f.name: f.write for f in FORMATS.values() if f.write}
#: the formats whose written files are read back before they are moved into place
READ_BACK: Dict[str, Format] = {f.name: f for f in FORMATS.values()
                                if f.write and (f.read_back or f.read)}


def get(name: str, where: Any = None, reading: bool = True) -> Format:
    """The format named ``name``; one error listing the known ones otherwise."""
    known = READERS if reading else WRITERS
    if name not in known:
        side = "source" if reading else "target"
        raise AnnotationError(where, None, "format", f"unknown {side} format, expected one of {sorted(known)}", name)
    return FORMATS[name]
