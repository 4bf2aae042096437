"""Per-video feature files: the one module that writes and reads them (see :mod:`.files`)."""
from .files import FeatureFileError, FeatureFolder, SnippetSpec

__all__ = ["FeatureFileError", "FeatureFolder", "SnippetSpec"]
