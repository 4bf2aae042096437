"""The one spelling of "a file or folder name" that public functions take."""
import os
from typing import Union

PathLike = Union[str, os.PathLike]
