"""The way out of training: a trained model exported to ONNX with its equality check (:mod:`.onnx`). Running an
exported model is prediction's (:mod:`videokit.inference.runtime`); serving it, a service's
(:mod:`videokit.services.labelstudio`)."""
