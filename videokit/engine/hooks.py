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
