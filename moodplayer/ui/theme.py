"""Colours and the style sheet: one calm dark palette shared by every widget.

Mood colours follow the five named moods of ``moodplayer.analysis.moods`` so the pad, the table and the
timeline strip speak the same visual language. The mood names are repeated here (not imported) to keep
numpy off the start path; ``tests/test_ui_pad.py`` checks they match the core's list.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = "#14161b"
SURFACE = "#1b1e25"
SURFACE_HI = "#232730"
BORDER = "#2c313c"
TEXT = "#e4e6ee"
MUTED = "#8a90a2"
ACCENT = "#8fb3ff"
CAMERA = "#f4f1e8"
WARNING = "#e3a35b"

# Mood -> colour; centroids (valence, arousal) mirror analysis/moods.py.
MOOD_COLOURS: dict[str, str] = {
    "Dark": "#a283e0",
    "Energetic": "#ef7d6d",
    "Happy": "#f2c25c",
    "Relaxing": "#5cc9a7",
    "Sad": "#5d8ff0",
}
MOOD_CENTROIDS: dict[str, tuple[float, float]] = {
    "Dark": (0.25, 0.70),
    "Energetic": (0.50, 0.85),
    "Happy": (0.75, 0.65),
    "Relaxing": (0.65, 0.25),
    "Sad": (0.25, 0.25),
}
UNANALYSED = "#555b69"


def nearest_mood(valence: float, arousal: float) -> str:
    """Name of the mood centroid nearest a point (for colouring a single point)."""
    return min(MOOD_CENTROIDS, key=lambda m: (MOOD_CENTROIDS[m][0] - valence) ** 2
               + (MOOD_CENTROIDS[m][1] - arousal) ** 2)


def mood_colour(valence: float | None, arousal: float | None) -> QColor:
    """A smooth colour for a point: the mood colours blended by closeness (no hard region edges)."""
    if valence is None or arousal is None:
        return QColor(UNANALYSED)
    weights = {}
    for name, (cv, ca) in MOOD_CENTROIDS.items():
        d2 = (cv - valence) ** 2 + (ca - arousal) ** 2
        weights[name] = 2.718281828 ** (-d2 / (2 * 0.12 ** 2))
    total = sum(weights.values()) or 1.0
    r = g = b = 0.0
    for name, w in weights.items():
        c = QColor(MOOD_COLOURS[name])
        r += c.redF() * w / total
        g += c.greenF() * w / total
        b += c.blueF() * w / total
    return QColor.fromRgbF(r, g, b)


def apply(app: QApplication) -> None:
    """Dark palette (for widgets the style sheet does not reach) plus the style sheet."""
    app.setStyle("Fusion")
    pal = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, BACKGROUND), (QPalette.ColorRole.Base, SURFACE),
        (QPalette.ColorRole.AlternateBase, SURFACE_HI), (QPalette.ColorRole.Button, SURFACE_HI),
        (QPalette.ColorRole.Text, TEXT), (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.ButtonText, TEXT), (QPalette.ColorRole.ToolTipBase, SURFACE_HI),
        (QPalette.ColorRole.ToolTipText, TEXT), (QPalette.ColorRole.Highlight, "#3a4a6e"),
        (QPalette.ColorRole.HighlightedText, TEXT), (QPalette.ColorRole.PlaceholderText, MUTED),
    ):
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(MUTED))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(MUTED))
    app.setPalette(pal)
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    from moodplayer.ui.style import style_sheet

    app.setStyleSheet(style_sheet())
