"""PyTorch vs onnxruntime on the CPU, and the online real-time factor of the exported causal pipeline.

For the demo recognizer (ResNet-18, 4 frames of 64x64) and NurViD's TSM-R50 (8 frames of 224x224), random
init: the latency of one clip through the network (the preprocessed tensor in, probabilities out), PyTorch
(``torch.no_grad``, the same wrapper the export traces) vs onnxruntime's CPU provider, interleaved in rounds
(``benchmarks/rounds.py``); the ratio is the median per-round ratio with its min-max.

Online: a made 720p video (``--minutes``, default 10) streamed through the exported TSM-R50 backbone (one
window of 8 frames per 1-s step) and OphNet's causal workflow model (one step at a time, its state kept by
the runtime), as ``videokit predict --online --backend onnxruntime`` runs them; the real-time factor is the
video's length over the wall time (decoding included). The detector: OphNet's ActionFormer network on an hour
of features (3,600 positions), PyTorch vs the exported network (dynamic length) in onnxruntime.
Last line: ``ort_speedup=<TSM-R50> ort_speedup_demo=<R18> ort_speedup_detector=<x> online_rtf=<x>``.
On a GPU machine, ``--device cuda`` uses onnxruntime's CUDA provider where it is installed.

Usage: python -m benchmarks.bench_export [--minutes 10] [--rounds 5] [--device cpu] [--cache DIR]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from .fixtures import ROOT, make_long_video
from .rounds import MIN_ROUNDS, interleaved, median, ratio, show_ratio

MODELS = {"demo R18": ("configs/demo/multilevel_r18_1x1x4_demo.py", (1, 4, 3, 64, 64)),
          "TSM-R50": ("configs/nurvid/multilevel_tsm_r50_1x1x8_trimmed-procedure-action.py", (1, 8, 3, 224, 224))}
WORKFLOW = "configs/ophnet/causal_tcn_features_phase-anticipation.py"
DETECTOR = "configs/ophnet/actionformer_r50_phase-localization.py"


def demo_taxonomy(folder: Path) -> None:
    """The demo config reads its taxonomy from VIDEOKIT_DEMO_ROOT/converted."""
    (folder / "converted").mkdir(parents=True, exist_ok=True)
    (folder / "converted" / "taxonomy.csv").write_text(
        "level,id,name,abbrev,group,parents,names\nprocedure,0,p,,,,{}\nprocedure,1,q,,,,{}\n"
        "action,0,a,,,0,{}\naction,1,b,,,1,{}\n")
    os.environ["VIDEOKIT_DEMO_ROOT"] = str(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cache", default=None)
    args = parser.parse_args()
    os.chdir(ROOT)
    import torch

    from videokit.deploy.onnx import (
        RecognizerGraph,
        export_backbone,
        export_detector,
        export_recognizer,
        export_workflow,
    )
    from videokit.features import FeatureSpec
    from videokit.inference.network import load_model
    from videokit.inference.online import stream
    from videokit.inference.runtime import OnnxBackbone, OnnxDetector, OnnxRecognizer, OnnxWorkflow
    from videokit.video import FrameSource

    work = Path(args.cache or tempfile.mkdtemp(prefix="bench_export_"))
    demo_taxonomy(work)
    torch.manual_seed(0)
    speedups = {}
    for name, (config, shape) in MODELS.items():
        model, _ = load_model(config, None)
        clip = torch.randn(*shape)
        path = work / f"{name.replace(' ', '_')}.onnx"
        export_recognizer(model, clip, path)
        graph, runtime = RecognizerGraph(model).eval(), OnnxRecognizer(path, args.device)
        array = clip.numpy()

        def pytorch(graph=graph, clip=clip):
            with torch.no_grad():
                graph(clip)

        def onnxruntime(runtime=runtime, array=array):
            runtime(array)

        times = interleaved({"pytorch": pytorch, "onnxruntime": onnxruntime}, rounds=args.rounds, calls=5)
        speedups[name] = ratio(times, "pytorch", "onnxruntime")
        print(f"{name}: pytorch {median(times['pytorch']) * 1000:.1f} ms/clip, onnxruntime "
              f"{median(times['onnxruntime']) * 1000:.1f} ms/clip: onnxruntime {show_ratio(speedups[name])} faster",
              flush=True)

    # a detector's network on an hour of features (1 per second), any length since the export is dynamic
    detector_model, detector_cfg = load_model(DETECTOR, None)
    channels = detector_cfg.model.in_channels
    unit = 2 ** (detector_model.num_levels - 1)
    export_detector(detector_model, torch.randn(1, channels, 8 * unit), work / "detector.onnx")
    runtime = OnnxDetector(work / "detector.onnx", detector_model.num_levels, args.device)
    hour = torch.randn(channels, 3600)

    def detector_pytorch():
        with torch.no_grad():
            detector_model.outputs(*detector_model._pad([hour]))

    def detector_onnxruntime(array=hour.numpy()):
        runtime(array)

    times = interleaved({"pytorch": detector_pytorch, "onnxruntime": detector_onnxruntime}, rounds=args.rounds)
    speedups["detector"] = ratio(times, "pytorch", "onnxruntime")
    print(f"detector (OphNet ActionFormer network, 1 h of features, 3600 positions): pytorch "
          f"{median(times['pytorch']) * 1000:.0f} ms, onnxruntime {median(times['onnxruntime']) * 1000:.0f} ms: "
          f"onnxruntime {show_ratio(speedups['detector'])} faster", flush=True)

    # online: exported TSM-R50 backbone + causal workflow step on a long 720p video, 1 step per second
    video = make_long_video(work / "raw" / f"long_{args.minutes:g}min_720p.mp4", args.minutes)
    backbone_model, _ = load_model(MODELS["TSM-R50"][0], None)
    frames = np.random.default_rng(0).integers(0, 256, (16, 224, 224, 3), dtype=np.uint8)
    export_backbone(backbone_model, frames, 8, work / "backbone.onnx")
    workflow_model, cfg = load_model(WORKFLOW, None)
    steps = workflow_model.receptive_field
    export_workflow(workflow_model, torch.randn(2048, steps), torch.arange(steps, dtype=torch.float32) + 1,
                    work / "workflow.onnx")
    spec = FeatureSpec(window_sec=1.0, stride_sec=1.0, frames_per_window=8, size=224)
    source = FrameSource(str(video))
    started = time.perf_counter()
    result = stream(source, OnnxBackbone(work / "backbone.onnx", args.device), spec,
                    OnnxWorkflow(work / "workflow.onnx", args.device, horizon=workflow_model.horizon), 1.0, args.device)
    wall = time.perf_counter() - started
    rtf = result.video_seconds / wall
    print(f"online (onnxruntime TSM-R50 backbone + causal TCN, 1 step/s): {len(result.times)} steps over "
          f"{result.video_seconds:.0f} s of 720p video in {wall:.1f} s: real-time factor {rtf:.2f}, step latency "
          f"p50 {np.median(result.latencies) * 1000:.0f} ms")
    print(f"ort_speedup={speedups['TSM-R50'][0]:.2f} ort_speedup_demo={speedups['demo R18'][0]:.2f} "
          f"ort_speedup_detector={speedups['detector'][0]:.2f} online_rtf={rtf:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
