"""Render assets/moodplayer.svg to the PNG sizes desktops look up (assets/icons/hicolor/NxN/apps/).

    python packaging/render_icons.py

The PNGs are committed: a build never needs an SVG renderer. Uses rsvg-convert (librsvg2-bin) when
installed, else Qt's QSvgRenderer offscreen; both anti-alias, rsvg is the reference renderer.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "assets" / "moodplayer.svg"
ICONS = ROOT / "assets" / "icons" / "hicolor"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
NAME = "moodplayer"


def png_path(size: int) -> Path:
    return ICONS / f"{size}x{size}" / "apps" / f"{NAME}.png"


def _render_qt(svg: Path, jobs: list[tuple[int, Path]]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QImage painting wants one
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: Qt cannot parse the SVG")
    for size, out in jobs:
        img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        if not img.save(str(out)):
            raise SystemExit(f"{out}: cannot write PNG")


def render(svg: Path = SVG, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write one PNG per size (and the scalable SVG beside them); returns the PNG paths."""
    jobs = [(s, png_path(s)) for s in sizes]
    for _, out in jobs:
        out.parent.mkdir(parents=True, exist_ok=True)
    rsvg = shutil.which("rsvg-convert")
    if rsvg:
        for size, out in jobs:
            subprocess.run([rsvg, "-w", str(size), "-h", str(size), str(svg), "-o", str(out)], check=True)
    else:
        _render_qt(svg, jobs)
    scalable = ICONS / "scalable" / "apps" / f"{NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    return [out for _, out in jobs]


if __name__ == "__main__":
    for p in render():
        print(p.relative_to(ROOT))
    sys.exit(0)
