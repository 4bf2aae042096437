"""Arguments that several verbs share: where annotations come from and how to read them."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Dict, Sequence

from ..annotations import AnnotationSet, read_annotations
from ..annotations.errors import summarize
from ..annotations.formats import FORMATS, OPTIONS, READERS, Option


#: what the command line turns into a reader's option: a file into a taxonomy, a folder into frame rates
def _loaders() -> Dict[str, Callable[[str], Any]]:
    return {"taxonomy": load_taxonomy_file, "video_fps": frame_rates}


def dest(option: Option) -> str:
    """The argparse destination of an option's flag (``--completed-by`` -> ``completed_by``)."""
    return option.flag.lstrip("-").replace("-", "_")


def add_option(parser, name: str, **overrides: Any) -> None:
    """Add the flag of reader / writer option ``name`` (:data:`OPTIONS`), its help from there."""
    option = OPTIONS[name]
    kwargs: Dict[str, Any] = {"default": None, "help": option.help, "dest": dest(option)}
    if option.type is bool:
        kwargs.update(action="store_true", default=False)
    else:
        kwargs.update(type=option.type, metavar=option.metavar, choices=option.choices)
    kwargs.update(overrides)
    parser.add_argument(option.flag, **kwargs)


def add_source_arguments(parser: argparse.ArgumentParser, optional: bool = False, tool_options: bool = True,
                         videos_option: bool = True) -> None:
    """SRC, --from and the readers' options; ``videos_option=False`` where the verb has a ``--videos`` of its own
    (the same folder: review's), which then also serves the frame rates."""
    parser.add_argument("src", metavar="SRC", nargs="?" if optional else None,
                        help="NurViD annotations folder, an OphNet folder or CSV, or a file of the named format")
    parser.add_argument("--from", dest="src_format", required=not optional, choices=sorted(READERS),
                        help="format of SRC")
    add_option(parser, "variant", default="challenge", help=OPTIONS["variant"].help + " (default: challenge)")
    add_option(parser, "style", default="video", help=OPTIONS["style"].help + " (default: video)")
    parser.add_argument("--meta", default=None,
                        help="video metadata table (video_id,duration,fps) filling missing durations")
    if not tool_options:
        return
    tools = parser.add_argument_group("annotation tools (elan, labelstudio, cvat, via)")
    add_option(tools, "tool_fps")
    tools.add_argument("--fps", type=float, default=None, metavar="FPS",
                       help="the older spelling of --tool-fps (and, with convert --to frames, of --label-fps)")
    if videos_option:
        add_option(tools, "video_fps", help=OPTIONS["video_fps"].help + " (and convert --to cvat / labelstudio "
                                                                         "gives it to videos whose rate the "
                                                                         "annotations lack)")
    for name in ("tiers", "annotator", "taxonomy"):
        add_option(tools, name)


def load_taxonomy_file(path: str):
    """A taxonomy from a ``taxonomy.csv`` (``videokit convert --to taxonomy``) or any canonical JSON."""
    from ..annotations.formats.tables import read_taxonomy

    if str(path).endswith(".csv"):
        return read_taxonomy(path)
    return read_annotations(path, "canonical").taxonomy


def frame_rates(folder: str):
    """The frame rates of the videos in ``folder`` (probed on first use); a missing folder ends the command."""
    from ..video import FrameRates

    try:
        return FrameRates(folder)
    except FileNotFoundError as exc:
        raise SystemExit(f"error: --videos {exc}") from None


def format_options(args: argparse.Namespace, names: Sequence[str]) -> Dict[str, Any]:
    """The values the command line gave for the options ``names`` (as keywords), files and folders loaded."""
    loaders = _loaders()
    options = {}
    for name in names:
        value = getattr(args, dest(OPTIONS[name]), None) if OPTIONS[name].flag else None
        if name == "tool_fps" and value is None:
            value = getattr(args, "fps", None)  # the older spelling
        if value is not None and value is not False:
            options[name] = loaders[name](value) if name in loaders else value
    return options


def read_source(args: argparse.Namespace, report: bool = True) -> AnnotationSet:
    """SRC read as ``--from`` says, with the options its reader takes; with ``report``, what the reader could not
    carry or had to guess is printed to stderr, grouped (:func:`videokit.annotations.errors.summarize`)."""
    options = format_options(args, FORMATS[args.src_format].read_options)
    annotations = read_annotations(args.src, args.src_format, metadata=args.meta, **options)
    if report:
        print_summary(annotations)
    return annotations


def print_summary(annotations: AnnotationSet) -> None:
    """The reader's warnings that mean something was not carried or was guessed, grouped, on stderr."""
    for line in summarize(annotations.findings):
        print(line, file=sys.stderr)
