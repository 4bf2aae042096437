"""Arguments that several verbs share: where annotations come from and how to read them."""
from __future__ import annotations

import argparse

from ..annotations import AnnotationSet, read_annotations
from ..annotations.formats import READERS


def add_source_arguments(parser: argparse.ArgumentParser, optional: bool = False, tool_options: bool = True,
                         videos_option: bool = True) -> None:
    """SRC, --from and the reading options; ``videos_option=False`` where the verb has a ``--videos`` of its own
    (the same folder: review's), which then also serves the frame rates."""
    parser.add_argument("src", metavar="SRC", nargs="?" if optional else None,
                        help="NurViD annotations folder, an OphNet folder or CSV, or a file of the named format")
    parser.add_argument("--from", dest="src_format", required=not optional, choices=sorted(READERS),
                        help="format of SRC")
    parser.add_argument("--variant", default="challenge", choices=["all", "challenge"],
                        help="OphNet folder: which operation table to read (default: challenge)")
    parser.add_argument("--style", default="video", choices=["video", "segments", "clips"],
                        help="mmaction list style (reading: video or segments; default: video)")
    parser.add_argument("--meta", default=None,
                        help="video metadata table (video_id,duration,fps) filling missing durations")
    if not tool_options:
        return
    tools = parser.add_argument_group("annotation tools (elan, labelstudio, cvat, via)")
    tools.add_argument("--fps", type=float, default=None,
                       help="frame rate of a frame-based source (Label Studio, CVAT) that does not state one; "
                            "with --to frames, the label rate (default 1)")
    if videos_option:
        tools.add_argument("--videos", default=None, metavar="DIR",
                           help="the videos: CVAT / Label Studio frames are counted at each video's own frame rate, "
                                "probed from its file here, where the file does not state one (and convert --to "
                                "cvat/labelstudio gives it to videos whose rate the annotations lack)")
    tools.add_argument("--tiers", default=None, metavar="LEVEL=TIER,...",
                       help="ELAN: which tier is which level, coarse to fine (default: the tier hierarchy)")
    tools.add_argument("--completed-by", dest="completed_by", default=None, metavar="ID",
                       help="Label Studio: read this annotator's work (a user id or e-mail, the export's "
                            "completed_by / annotator); needed where several people annotated a task")
    tools.add_argument("--taxonomy", default=None, metavar="FILE",
                       help="map the tool's label values to this taxonomy's classes (a taxonomy.csv or canonical "
                            "JSON); unknown values are errors naming the record (default: each value is a class)")


TOOL_FORMATS = ("elan", "labelstudio", "cvat", "via")


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


def read_source(args: argparse.Namespace) -> AnnotationSet:
    options = {"variant": args.variant} if args.src_format == "ophnet" else {}
    if args.src_format in TOOL_FORMATS:
        if getattr(args, "taxonomy", None):
            options["taxonomy"] = load_taxonomy_file(args.taxonomy)
        if args.src_format == "elan" and getattr(args, "tiers", None):
            options["tiers"] = args.tiers
        if args.src_format in ("labelstudio", "cvat") and getattr(args, "fps", None):
            options["fps"] = args.fps
        if args.src_format in ("labelstudio", "cvat") and getattr(args, "videos", None):
            options["video_fps"] = frame_rates(args.videos)
        if args.src_format == "labelstudio" and getattr(args, "completed_by", None):
            options["annotator"] = args.completed_by
        if args.src_format == "cvat" and getattr(args, "level", None):
            options["level"] = args.level
    if args.src_format in ("mmaction", "anet"):
        options["level"] = getattr(args, "level", None)
    if args.src_format == "mmaction":
        options["style"] = args.style
    return read_annotations(args.src, args.src_format, metadata=args.meta, **options)


def serve_until_interrupted(server) -> None:
    """Serve ``server`` (werkzeug's) until Ctrl+C or SIGINT, then close its socket. SIGINT stops it even where
    the process was started with SIGINT ignored (a job put in the background by a script inherits that)."""
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
