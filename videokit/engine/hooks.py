"""Runner hooks videokit adds to mmengine."""
from __future__ import annotations

from mmaction.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """At the end of each training epoch, report how many unreadable videos the loader skipped."""

    priority = "LOW"

    def after_train_epoch(self, runner) -> None:
        dataset = runner.train_dataloader.dataset
        if not hasattr(dataset, "skipped_videos"):  # not a video dataset (extracted features)
            return
        skipped = dataset.skipped_videos()
        runner.message_hub.update_info("skipped_videos", len(skipped))
        if skipped:
            shown = ", ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else "")
            runner.logger.warning(f"epoch {runner.epoch}: skipped {len(skipped)} unreadable video(s): {shown}")
        else:
            runner.logger.info(f"epoch {runner.epoch}: no unreadable videos")


@HOOKS.register_module()
class InitialWeightsHook(Hook):
    """Load a config's initial weights (``load_from``) once the model's own init has run, before the first
    epoch, and log one line: keys loaded, keys left at their init (the new heads), keys in the file the model
    lacks, shape mismatches by name (``tools/train.py`` puts it in place of mmengine's loading)."""

    priority = "VERY_HIGH"

    def __init__(self, checkpoint: str, source: str = "") -> None:
        self.checkpoint, self.source = checkpoint, source or checkpoint

    def before_train(self, runner) -> None:
        from mmengine.model import is_model_wrapper

        from .checkpoint import load_initial_weights

        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        report = load_initial_weights(model, self.checkpoint)
        runner.logger.info(report.summary(self.source.rsplit("/", 1)[-1]))
