"""``videokit serve labelstudio CONFIG CHECKPOINT`` (or ``--model M.onnx``, a model file alone): a trained model as
a Label Studio ML backend, so each task an annotator opens comes pre-labelled (:mod:`videokit.services.labelstudio`;
docs/annotations.md has the loop from a new video to a retrained model)."""
from __future__ import annotations

import argparse
import logging
import os

from .predict import add_deployment_arguments, add_model_arguments, add_prediction_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="serve a trained model to an annotation tool (Label Studio's ML backend)",
                            description=__doc__)
    tools = parser.add_subparsers(dest="tool", metavar="TOOL", required=True)
    backend = tools.add_parser("labelstudio", help="Label Studio ML backend: /health, /setup, /predict, /webhook",
                               description=__doc__)
    add_model_arguments(backend, positional=True)
    add_prediction_options(backend)
    add_deployment_arguments(backend)
    where = backend.add_argument_group("where")
    where.add_argument("--videos", default=None, metavar="DIR",
                       help="the tasks' videos, matched by file name (nothing outside DIR is read); without it, "
                            "videos are downloaded from Label Studio (LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY)")
    where.add_argument("--label-studio-url", default=None, metavar="URL",
                       help="Label Studio's address for downloads (default: $LABEL_STUDIO_URL, else what it says "
                            "when it connects)")
    where.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; any other needs $VIDEOKIT_BACKEND_PASSWORD)")
    where.add_argument("--port", type=int, default=9090, help="port (default 9090, Label Studio's usual)")
    where.add_argument("--user", default="videokit", help="basic-auth user name with a password (default videokit)")
    where.add_argument("--answer-within", type=float, default=20.0, metavar="S",
                       help="seconds a request waits for predictions before answering 'predicting: ask again' "
                            "(default 20; Label Studio gives up on a backend after 100)")
    backend.set_defaults(run=run)


def _model_file(args: argparse.Namespace):
    """``(taxonomy, predict, version)`` of a model file alone: no torch imported."""
    from ..runtime import predict_with_model_file
    from .predict import open_model_file

    model, options = open_model_file(args)

    def predict(path):
        return predict_with_model_file(str(path), model, options).annotations

    return model.taxonomy, predict, f"{model.version} (model file)"


def _trained(args: argparse.Namespace):
    """``(taxonomy, predict, version)`` of a config and checkpoint (the full install)."""
    import torch

    from ..inference import predict_video
    from ..services.labelstudio import model_version
    from .predict import load_models

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    recognizer, detector, options = load_models(args, device)

    def predict(path):
        return predict_video(str(path), recognizer, detector, options, progress=False).annotations

    return recognizer.taxonomy, predict, model_version(args.checkpoint, args.backend)


def run(args: argparse.Namespace) -> int:
    from ..services import Server, serve_until_interrupted
    from ..services.auth import PASSWORD_ENV, is_local
    from ..services.labelstudio import Predictor, VideoSource, create_app
    from .predict import model_file_alone

    password = os.environ.get(PASSWORD_ENV, "")
    if not is_local(args.host) and not password:
        raise SystemExit(f"error: --host {args.host} reaches beyond this machine: set {PASSWORD_ENV} (the ML "
                         "backend's basic auth password in Label Studio) or bind 127.0.0.1")
    if args.videos and not os.path.isdir(args.videos):
        raise SystemExit(f"error: --videos {args.videos}: no such folder")
    taxonomy, predict, version = _model_file(args) if model_file_alone(args) else _trained(args)
    source = VideoSource(args.videos, args.label_studio_url or os.environ.get("LABEL_STUDIO_URL"),
                         os.environ.get("LABEL_STUDIO_API_KEY"))
    predictor = Predictor(predict, source, version)
    app = create_app(taxonomy, predictor, args.answer_within, password, args.user, (args.host,))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = Server(args.host, args.port, app)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    serve_until_interrupted(server, f"videokit serve labelstudio: {version} at http://{shown}:{server.server_port} "
                            "(Label Studio: Settings > Model > Connect model; Ctrl+C to stop)")
    return 0
