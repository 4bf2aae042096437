"""Stage 6, the way out to deployment: ONNX export with its equality check (:mod:`.onnx`), the exported
models under onnxruntime (:mod:`.runtime`), and detection post-processing presets (:mod:`.presets`)."""
