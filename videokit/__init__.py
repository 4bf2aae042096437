"""videokit: activity understanding in medical procedure videos (NurViD, OphNet)."""

import warnings

__version__ = "0.1.0"

# mmcv-lite has no compiled ops and says so on every import; videokit never uses them
warnings.filterwarnings("ignore", message=".*MultiScaleDeformableAttention.*")
