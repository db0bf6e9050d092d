"""Work around PySide6 6.12.0 dropping a reference to None on every signal delivered to a Python slot.

Measured here: each slot call leaves sys.getrefcount(None) one lower (QTimer(singleShot=True) costs two);
on Python 3.11, where None is an ordinary object, the count reaches zero after enough signals and the
interpreter aborts ("Fatal Python error: none_dealloc"), in tests at exit and in a long desk session at any
moment. Python 3.12 made None, True and False immortal for exactly this class of bug (PEP 683); on 3.11 we
do the same by hand: give them a reference count no desk session can exhaust. tests/ui/test_immortal.py
shows the leak and that the process survives it. Remove when PySide6 fixes the leak (PySide6-Pdf, which
the desk needs, exists only as 6.12, so pinning an older PySide6 is not an option).
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 40  # a trillion slot calls; Python 3.12 uses a similar large value for immortal objects


def apply() -> bool:
    """Raise the reference counts of None, True and False; False where it is not needed or not safe."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        return False  # immortal already, not CPython, or a debug build with a different object header
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field of a PyObject
        if count.value < HEADROOM:
            count.value += HEADROOM
    return True
