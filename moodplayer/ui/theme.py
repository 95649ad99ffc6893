"""Colours and the style sheet: one calm dark palette shared by every widget.

Mood colours come from ``moodplayer.mood_geometry`` (no numpy on import) so the pad, the table, the
timeline strip and the analysis speak the same visual language.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from moodplayer import mood_geometry as geometry

BACKGROUND = "#14161b"
SURFACE = "#1b1e25"
SURFACE_HI = "#232730"
BORDER = "#2c313c"
TEXT = "#e4e6ee"
MUTED = "#8a90a2"
ACCENT = "#8fb3ff"
CAMERA = "#f4f1e8"
WARNING = "#e3a35b"

MOOD_COLOURS = geometry.COLOURS        # mood name -> "#rrggbb" (declared in moodplayer.mood_geometry)
MOOD_CENTROIDS = geometry.CENTROIDS    # mood name -> (valence, arousal)
UNANALYSED = "#555b69"


def mood_colour(valence: float | None, arousal: float | None) -> QColor:
    """A smooth colour for a point: the mood colours blended by closeness (no hard region edges)."""
    if valence is None or arousal is None:
        return QColor(UNANALYSED)
    return QColor.fromRgbF(*geometry.blend_rgb(valence, arousal))


def dot_icon(colour: str, size: int = 10) -> QIcon:
    """A round swatch of a colour (mood and cluster colours in lists and menus)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pix)


def fill_rounded(p: QPainter, rect: QRectF, radius: float, colour: str) -> QPainterPath:
    """Fill a rounded rectangle (the pad's plane, the strip's bar); its path, to clip or fill again."""
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    p.fillPath(path, QColor(colour))
    return path


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
