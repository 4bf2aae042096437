"""Latency of ``videokit serve labelstudio``: seconds from Label Studio's ``POST /predict`` for one task on a
1-minute 720p video to the answer holding the model's regions, against ``predict_video`` on the same video in
the same process (the model's own cost), measured in the same run.

The backend runs as Label Studio talks to it: a real HTTP server (waitress, as the command starts it) on
127.0.0.1, the task's video found under ``--videos`` by file name, one background worker, a fresh answer each
call (the answer cache is cleared between calls). Backend and baseline take turns, interleaved in rounds
(``benchmarks/rounds.py``); random-init weights for the demo recognizer (ResNet-18, 4 frames of 64x64 per
window), NurViD's multi-level TSM-R50 (8 frames of 224x224) in PyTorch, and the same TSM-R50 as an int8 model
file (``videokit serve labelstudio --model M.onnx``: the runtime's path, its baseline the runtime's own
prediction). Prints one line per model and, last, ``latency_s_demo=<s> latency_s_tsm_r50=<s>
latency_s_tsm_r50_int8=<s> overhead_<model>=<backend / its prediction alone>`` (``BENCH_MODELS=demo``: a subset).

Usage: python -m benchmarks.bench_ml_backend [--minutes 1] [--rounds 5] [--device cpu] [--cache DIR]
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
import urllib.request
from pathlib import Path

from .fixtures import ROOT
from .rounds import interleaved, median, ratio, show_ratio


def main() -> None:
    from .fixtures import long_video_arguments, make_long_video

    args = long_video_arguments(__doc__.splitlines()[0])
    os.chdir(ROOT)  # the NurViD config names annotations/ relative to the checkout
    from videokit.annotations import read_annotations
    from videokit.annotations.formats.labelstudio import config
    from videokit.demo import DemoSpec
    from videokit.demo.pipeline import run_demo
    from videokit.inference import PredictOptions, TrainedRecognizer, predict_video
    from videokit.runtime import ModelFile, predict_with_model_file
    from videokit.runtime.predict import options_for
    from videokit.services import Server
    from videokit.services.labelstudio import Predictor, VideoSource, create_app

    from .bench_predict import export

    work = Path(args.cache or tempfile.mkdtemp(prefix="bench_ml_backend_"))
    videos = work / "videos"
    video = make_long_video(videos / f"long_{args.minutes:g}min_720p.mp4", args.minutes)
    demo_root = work / "demo"
    if not (demo_root / "converted" / "taxonomy.csv").exists():
        run_demo(demo_root, DemoSpec(videos_per_procedure=1, min_seconds=4, max_seconds=5), train=False)
    os.environ["VIDEOKIT_DEMO_ROOT"] = str(demo_root)
    options = PredictOptions(threshold=0.0, min_length=0.0)  # random weights: segments all the same
    tsm = ROOT / "configs" / "nurvid" / "multilevel_tsm_r50_1x1x8_trimmed-procedure-action.py"
    models = {"demo": (ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py",
                       demo_root / "converted" / "demo.canonical.json"),
              "tsm_r50": (tsm, ROOT / "annotations" / "nurvid" / "annotations.json"),
              "tsm_r50_int8": (tsm, ROOT / "annotations" / "nurvid" / "annotations.json")}
    latency, overhead = {}, {}
    chosen = os.environ.get("BENCH_MODELS", "demo,tsm_r50,tsm_r50_int8").split(",")  # a subset: BENCH_MODELS=demo
    for name, (model_config, taxonomy_source) in ((n, m) for n, m in models.items() if n in chosen):
        recognizer = TrainedRecognizer.from_files(str(model_config), None, device=args.device)
        label_config = config(read_annotations(taxonomy_source, "canonical"))
        if name.endswith("int8"):
            model = ModelFile(export(recognizer, str(video), work, int8=True), args.device)
            run_options = options_for(model, threshold=0.0, min_length=0.0)
            taxonomy = model.taxonomy

            def predict(path, model=model, run_options=run_options):
                return predict_with_model_file(str(path), model, run_options).annotations
        else:
            taxonomy = recognizer.taxonomy

            def predict(path, recognizer=recognizer):
                return predict_video(str(path), recognizer, options=options, progress=False).annotations
        predictor = Predictor(predict, VideoSource(str(videos)), f"videokit bench {name}")
        app = create_app(taxonomy, predictor, answer_within=3600)
        server = Server("127.0.0.1", 0, app)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = f"http://127.0.0.1:{server.server_port}"
        body = json.dumps({"tasks": [{"id": 1, "data": {"video": f"/data/upload/1/0123abcd-{video.name}"}}],
                           "label_config": label_config}).encode()
        regions = {}

        def backend() -> None:
            predictor.jobs.clear()  # a fresh prediction, not the kept answer
            request = urllib.request.Request(address + "/predict", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=3600) as response:
                regions["count"] = len(json.loads(response.read())["results"][0]["result"])

        def direct(predict=predict) -> None:
            predict(video)

        times = interleaved({"backend": backend, "predict_video": direct}, rounds=args.rounds)
        server.shutdown()
        latency[name] = median(times["backend"])
        share = ratio(times, "backend", "predict_video")
        overhead[name] = share[0]
        print(f"{name:8s} one {args.minutes:g}-min 720p task: answer in {latency[name]:6.1f} s "
              f"({regions['count']} regions); predict_video alone {median(times['predict_video']):6.1f} s; "
              f"backend / predict_video {show_ratio(share)}", flush=True)
    print(" ".join(f"latency_s_{name}={latency[name]:.1f}" for name in latency) + " " +
          " ".join(f"overhead_{name}={overhead[name]:.2f}" for name in overhead) + f" device={args.device}")


if __name__ == "__main__":
    main()
