"""One module per annotation format; :mod:`.registry` says what each is and takes (reader, writer, options).

Adding a format is one new module and one entry in :data:`FORMATS`.
"""
from .registry import FORMATS, OPTIONS, READ_BACK, READERS, WRITERS, Format, Option

__all__ = ["FORMATS", "OPTIONS", "READERS", "READ_BACK", "WRITERS", "Format", "Option"]
