"""videokit: activity understanding in medical procedure videos (NurViD, OphNet)."""

__version__ = "0.1.0"
