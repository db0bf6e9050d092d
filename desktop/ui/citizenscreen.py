"""The citizen's screen (the desk's second screen, turned to the citizen): which screen it is, and putting a
citizen-facing window there (the rating, desktop/ui/rating.py; the signing round, desktop/ui/signing.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def citizen_screen(screens: list, clerk_screen) -> object | None:
    """The screen the citizen faces: the first one that is not the clerk's; None when there is only one."""
    return next((s for s in screens if s is not clerk_screen), None)


def show(window: QWidget, screen, size: tuple[int, int]) -> None:
    """`window` full screen on `screen`, the citizen's; without one (None), a `size` window on the clerk's."""
    if screen is not None:
        window.setScreen(screen)
        window.setGeometry(screen.geometry())
        window.showFullScreen()
    else:
        window.resize(*size)
        window.show()
