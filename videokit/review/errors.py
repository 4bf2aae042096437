"""What the review session refuses, each with what the page needs to show it."""
from __future__ import annotations

from typing import Dict


class EditError(ValueError):
    """An edit that cannot be made (names the video, the segment and why)."""


class InvalidValue(EditError):
    """A value no segment can hold (a time that is not a finite number, a label that is not an integer):
    names the field; the server answers 400."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class StaleEdit(EditError):
    """An edit made on an older version of the video than the session holds (another tab changed it)."""

    def __init__(self, message: str, state: Dict) -> None:
        super().__init__(message)
        self.state = state


class SaveConflict(EditError):
    """OUT changed on disk since this session loaded or saved it: saving would overwrite that work."""

    def __init__(self, message: str, details: Dict) -> None:
        super().__init__(message)
        self.details = details
