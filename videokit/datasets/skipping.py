"""Broken or missing videos during training: skip, warn once per file, serve another, count (and report the
count at the end of each epoch: :class:`SkippedVideosHook`).

The flags live in shared memory created before DataLoader workers fork, so the count that the main
process reports at the end of an epoch includes what every worker skipped.
"""
from __future__ import annotations

import multiprocessing as mp
from typing import List

from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log

from ..video import BrokenVideoError


class SkipBrokenVideosMixin:
    """For mmengine datasets: a sample whose video cannot be read returns ``None`` in training, which
    mmengine's ``BaseDataset.__getitem__`` answers by serving another random sample."""

    def _init_skip_flags(self) -> None:
        self._broken = mp.Array("b", max(len(self), 1), lock=True)

    def prepare_data(self, idx: int):
        if not hasattr(self, "_broken"):
            self._init_skip_flags()
        try:
            return super().prepare_data(idx)
        except BrokenVideoError as exc:
            if self.test_mode:
                raise
            with self._broken.get_lock():
                first_time = not self._broken[idx]
                self._broken[idx] = 1
            if first_time:
                print_log(f"skipping unreadable video {exc} (sample {idx}); serving another sample",
                          logger="current", level=30)
            return None

    def skipped_videos(self) -> List[str]:
        """The files skipped so far, in every worker."""
        if not hasattr(self, "_broken"):
            return []
        flags = self._broken[:]
        return sorted({self.get_data_info(i)["filename"] for i, flag in enumerate(flags) if flag})


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
