"""mmaction2 / mmengine adapters over annotations/ and video/ (registered on import).

DATASETS: ``UntrimmedVideoDataset``, ``SegmentClipDataset``.
TRANSFORMS: ``VideoInit``, ``SampleTimeRangeFrames``, ``VideoDecode``.
"""
import cv2

from .features import FeatureDetectionDataset, ProposalFeatureDataset
from .recognition import SegmentClipDataset, UntrimmedVideoDataset
from .skipping import SkippedVideosHook
from .transforms import LoadFeatureArray, SampleTimeRangeFrames, VideoDecode, VideoInit
from .workflow import WorkflowFeatureDataset

# OpenCV's thread pool does not survive fork: a DataLoader worker forked after the parent resized an
# image hangs in its first cv2 call. mmengine's Runner sets the same (env_cfg.mp_cfg.opencv_num_threads=0).
cv2.setNumThreads(0)

__all__ = ["FeatureDetectionDataset", "LoadFeatureArray", "ProposalFeatureDataset", "SampleTimeRangeFrames",
           "SegmentClipDataset", "SkippedVideosHook", "UntrimmedVideoDataset", "VideoDecode", "VideoInit",
           "WorkflowFeatureDataset"]
