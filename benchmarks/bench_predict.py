"""Prediction against the machine's limits, measured in the same run: seconds and real-time factor of
``predict_video`` (PyTorch fp32, each window decoded on its own vs one decoding pass), of a model file in
onnxruntime (fp32 and int8, the runtime's path), beside the one-pass decode of the same frames and the network
alone on the same windows.

Makes a long 720p H.264 video from the sample clips (default 1 min, 25 fps, a keyframe every 10 s), then, with
random-init weights (the int8 model calibrated on the video's own windows):

- the demo recognizer (ResNet-18, 4 frames of 64x64 per window, procedure + step heads): per-window and one-pass
  ``predict_video``, against the one-pass decode of the frames its windows read (RGB, as the pipeline gets them);
- NurViD's multi-level TSM-R50 (8 frames of 224x224): ``predict_video`` per-window and one-pass (PyTorch fp32),
  the model file in onnxruntime fp32 and int8, against the one-pass decode and the network alone on the same
  preprocessed windows (PyTorch fp32, onnxruntime fp32, int8).

Every method runs interleaved with the others in rounds (``benchmarks/rounds.py``); medians are printed with the
per-round ratios to the one-pass decode (demo) or to PyTorch fp32 ``predict_video`` (TSM-R50). Equality beside
speed: the one-pass scores against the per-window ones (largest difference), the int8 timeline's top-1 agreement
with fp32 per window. Last line: ``rtf_demo=<x> decode_ratio_demo=<predict / decode> rtf_tsm_fp32=<x>
rtf_tsm_int8=<x> int8_speedup=<PyTorch fp32 predict / int8 predict>``. ``--models demo`` runs one; ``--device
cuda`` on a GPU machine (decoding stays on the CPU).

Usage: python -m benchmarks.bench_predict [--minutes 1] [--rounds 5] [--device cpu] [--cache DIR] [--models demo,tsm]
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

from .fixtures import ROOT, make_long_video
from .rounds import MIN_ROUNDS, interleaved, median, ratio, show_ratio

DEMO = ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py"
TSM = ROOT / "configs" / "nurvid" / "multilevel_tsm_r50_1x1x8_trimmed-procedure-action.py"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cache", default=None, help="folder to keep the made video and models in")
    parser.add_argument("--models", default="demo,tsm")
    return parser.parse_args()


def one_pass_decode(recognizer, video: str, grid: np.ndarray) -> None:
    """The machine's decoding limit for these windows: every frame they read, decoded once in stream order and
    converted to RGB (what ``VideoDecode`` hands the pipeline)."""
    from videokit.inference.recognize import split_pipeline
    from videokit.video import open_video
    from videokit.video.windows import decode_windows

    pick, _, backend = split_pipeline(recognizer)
    picked = [pick(dict(filename=video, start=float(s), end=float(e), label=-1))["frame_inds"] for s, e in grid]
    reader = open_video(video, backend or "pyav", cache=False)
    for _ in decode_windows(reader, picked):
        pass
    reader.close()


def network_alone(recognizer, clips, batch: int = 8):
    """The PyTorch network on preprocessed windows (no decoding, no pipeline)."""
    import torch

    from videokit.deploy.onnx import RecognizerGraph

    graph = RecognizerGraph(recognizer.model).eval()

    def run() -> None:
        with torch.no_grad():
            for b in range(0, len(clips), batch):
                graph(torch.from_numpy(np.stack(clips[b:b + batch])).to(recognizer.device))
    return run


def model_file_alone(model, clips, batch: int = 8):
    def run() -> None:
        for b in range(0, len(clips), batch):
            model(np.stack(clips[b:b + batch]))
    return run


def export(recognizer, video: str, out: Path, int8: bool) -> Path:
    """The recognizer as a model file (int8: calibrated and checked on the video's own windows)."""
    from videokit.deploy.manifest import recognizer_manifest
    from videokit.deploy.onnx import export_recognizer, quantize_recognizer
    from videokit.inference.recognize import preprocessed_clips

    fp32 = out / f"{Path(recognizer.cfg.filename).stem}.onnx"
    if not fp32.exists():
        import torch

        manifest = recognizer_manifest(recognizer.cfg, recognizer.model, recognizer.taxonomy, recognizer.levels,
                                       None, 2.0, 1.0)
        clip = torch.from_numpy(preprocessed_clips(recognizer, video, 2.0, 1.0, 1)[0][None])
        export_recognizer(recognizer.model, clip, fp32, manifest)
    if not int8:
        return fp32
    path = fp32.with_name(fp32.stem + "_int8.onnx")
    if not path.exists():
        from videokit.runtime import read_manifest

        clips = preprocessed_clips(recognizer, video, 2.0, 1.0, 32)
        quantize_recognizer(fp32, path, clips, clips, 0.0, read_manifest(fp32))
    return path


def demo_rows(args, video: str, work: Path, seconds: float) -> dict:
    from videokit.inference import PredictOptions, TrainedRecognizer, predict_video, window_grid

    recognizer = TrainedRecognizer.from_files(str(DEMO), None, device=args.device)
    grid = window_grid(seconds, 2.0, 1.0)
    found = {}
    methods = {
        "decode": lambda: one_pass_decode(recognizer, video, grid),
        "per-window": lambda: predict_video(video, recognizer, options=PredictOptions(one_pass=False), progress=False),
        "one-pass": lambda: found.__setitem__("p", predict_video(video, recognizer, progress=False)),
    }
    times = interleaved(methods, rounds=args.rounds)
    each = predict_video(video, recognizer, options=PredictOptions(one_pass=False), progress=False)
    diff = max(float(np.abs(found["p"].window_scores[k] - each.window_scores[k]).max()) for k in each.window_scores)
    print(f"demo R18, {len(grid)} windows of {seconds:.0f} s (max |one-pass - per-window| score {diff:.1e}):")
    for name in methods:
        print(f"  {name:11s} {median(times[name]):7.2f} s  {seconds / median(times[name]):7.1f}x real time"
              + (f"  vs one-pass decode {show_ratio(ratio(times, name, 'decode'))}" if name != "decode" else ""))
    return {"rtf_demo": seconds / median(times["one-pass"]),
            "decode_ratio_demo": ratio(times, "one-pass", "decode")[0]}


def tsm_rows(args, video: str, work: Path, seconds: float) -> dict:
    from videokit.inference import PredictOptions, TrainedRecognizer, predict_video, window_grid
    from videokit.inference.recognize import preprocessed_clips
    from videokit.runtime import ModelFile, predict_with_model_file

    recognizer = TrainedRecognizer.from_files(str(TSM), None, device=args.device)
    grid = window_grid(seconds, 2.0, 1.0)
    fp32_file, int8_file = (ModelFile(export(recognizer, video, work, q), args.device) for q in (False, True))
    clips = preprocessed_clips(recognizer, video, 2.0, 1.0)
    found = {}
    methods = {
        "decode": lambda: one_pass_decode(recognizer, video, grid),
        "net pytorch": network_alone(recognizer, clips),
        "net ort fp32": model_file_alone(fp32_file, clips),
        "net ort int8": model_file_alone(int8_file, clips),
        "predict per-window": lambda: predict_video(video, recognizer, options=PredictOptions(one_pass=False),
                                                    progress=False),
        "predict pytorch": lambda: found.__setitem__("fp32", predict_video(video, recognizer, progress=False)),
        "predict ort fp32": lambda: predict_with_model_file(video, fp32_file),
        "predict ort int8": lambda: found.__setitem__("int8", predict_with_model_file(video, int8_file)),
    }
    times = interleaved(methods, rounds=args.rounds)
    agree = {k: float(np.mean(found["fp32"].window_scores[k].argmax(1) == found["int8"].window_scores[k].argmax(1)))
             for k in found["fp32"].window_scores}
    print(f"TSM-R50, {len(grid)} windows (int8 top-1 agreement with PyTorch fp32 per window: "
          + ", ".join(f"{k} {v:.3f}" for k, v in agree.items()) + "):")
    for name in methods:
        print(f"  {name:18s} {median(times[name]):7.2f} s  {seconds / median(times[name]):6.2f}x real time  vs "
              f"PyTorch predict {show_ratio(ratio(times, name, 'predict pytorch'))}")
    return {"rtf_tsm_fp32": seconds / median(times["predict pytorch"]),
            "rtf_tsm_int8": seconds / median(times["predict ort int8"]),
            "int8_speedup": ratio(times, "predict pytorch", "predict ort int8")[0]}


def main() -> None:
    args = arguments()
    os.chdir(ROOT)  # the NurViD config names annotations/ relative to the checkout
    from videokit.demo import DemoSpec
    from videokit.demo.pipeline import run_demo
    from videokit.video import open_video

    work = Path(args.cache or tempfile.mkdtemp(prefix="bench_predict_"))
    work.mkdir(parents=True, exist_ok=True)
    video = str(make_long_video(work / f"long_{args.minutes:g}min_720p.mp4", args.minutes))
    demo_root = work / "demo"
    if not (demo_root / "converted" / "taxonomy.csv").exists():  # the demo config's taxonomy
        run_demo(demo_root, DemoSpec(videos_per_procedure=1, min_seconds=4, max_seconds=5), train=False)
    os.environ["VIDEOKIT_DEMO_ROOT"] = str(demo_root)
    reader = open_video(video, cache=False)
    seconds = float(reader.duration)
    reader.close()
    results = {}
    if "demo" in args.models:
        results.update(demo_rows(args, video, work, seconds))
    if "tsm" in args.models:
        results.update(tsm_rows(args, video, work, seconds))
    print(" ".join(f"{k}={v:.2f}" for k, v in results.items()) + f" device={args.device}")


if __name__ == "__main__":
    main()
