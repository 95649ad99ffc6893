"""The Qt style sheet, built from the theme colours (kept in Python so it always ships with the package)."""
from __future__ import annotations

from moodplayer.ui import theme as t


def style_sheet() -> str:
    return f"""
QMainWindow, QWidget {{ background: {t.BACKGROUND}; color: {t.TEXT}; }}
QToolTip {{ background: {t.SURFACE_HI}; color: {t.TEXT}; border: 1px solid {t.BORDER};
            border-radius: 6px; padding: 6px 8px; }}
QLabel#brand {{ font-size: 17pt; font-weight: 600; letter-spacing: 0.5px; color: {t.TEXT}; }}
QLabel#targetLabel {{ font-size: 10.5pt; padding-left: 12px; }}
QLabel#sectionTitle {{ font-size: 11.5pt; font-weight: 600; color: {t.TEXT}; background: transparent; }}
QLabel#mutedLabel, QLabel#timeLabel {{ color: {t.MUTED}; background: transparent; }}
QLabel#timeLabel {{ font-size: 9pt; min-width: 38px; qproperty-alignment: AlignCenter; }}
QLabel#emotionLabel {{ font-size: 12.5pt; font-weight: 600; background: transparent; }}
QLabel#trackTitle {{ font-size: 13pt; font-weight: 600; background: transparent; }}
QLabel#trackArtist {{ color: {t.MUTED}; background: transparent; }}
QLabel#whyLabel {{ color: {t.ACCENT}; font-size: 9pt; background: transparent; }}
QLabel#cameraPreview {{ background: {t.BACKGROUND}; border-radius: 10px; color: {t.MUTED}; }}

QFrame#card, QFrame#padCard {{ background: {t.SURFACE}; border: 1px solid {t.BORDER}; border-radius: 14px; }}
QFrame#padCard {{ background: {t.BACKGROUND}; border: none; }}
QFrame#card QWidget, QFrame#card QLabel {{ background: transparent; }}
QWidget#nowPlaying {{ background: {t.SURFACE}; border-top: 1px solid {t.BORDER}; }}
QWidget#nowPlaying QWidget, QWidget#nowPlaying QLabel {{ background: transparent; }}

QSplitter::handle {{ background: transparent; }}
QSplitter::handle:horizontal {{ width: 10px; }}
QSplitter::handle:vertical {{ height: 10px; }}

QLineEdit#search {{ background: {t.SURFACE}; border: 1px solid {t.BORDER}; border-radius: 16px;
                    padding: 6px 14px; selection-background-color: #3a4a6e; min-height: 20px; }}
QLineEdit#search:focus {{ border: 1px solid {t.ACCENT}; }}

QPushButton {{ background: {t.SURFACE_HI}; border: 1px solid {t.BORDER}; border-radius: 15px;
               padding: 6px 14px; color: {t.TEXT}; }}
QPushButton:hover {{ border-color: {t.ACCENT}; }}
QPushButton:pressed {{ background: {t.BORDER}; }}
QPushButton:checked {{ background: #2f3d5c; border-color: {t.ACCENT}; }}
QPushButton#addFolder {{ background: #2a3550; border-color: #3a4a6e; }}
QPushButton#pathButton {{ padding: 6px 10px; }}

QToolButton#transportButton {{ border: none; border-radius: 17px; background: transparent; }}
QToolButton#transportButton:hover {{ background: {t.SURFACE_HI}; }}
QToolButton#transportButton:checked {{ background: #3b2a3a; }}
QToolButton#playButton {{ background: {t.SURFACE_HI}; border: 1px solid {t.BORDER}; border-radius: 23px; }}
QToolButton#playButton:hover {{ border-color: {t.ACCENT}; }}

QCheckBox {{ spacing: 8px; background: transparent; }}
QCheckBox::indicator {{ width: 16px; height: 16px; border-radius: 4px; border: 1px solid {t.BORDER};
                        background: {t.SURFACE_HI}; }}
QCheckBox::indicator:checked {{ background: {t.ACCENT}; border-color: {t.ACCENT}; }}

QTableView#libraryTable {{ background: transparent; border: none; gridline-color: transparent;
                           selection-background-color: #2c3850; selection-color: {t.TEXT};
                           outline: 0; }}
QTableView#libraryTable::item {{ padding: 0 6px; border-bottom: 1px solid #1f232b; }}
QHeaderView::section {{ background: transparent; color: {t.MUTED}; border: none;
                        border-bottom: 1px solid {t.BORDER}; padding: 4px 6px; font-weight: 500; }}
QListWidget#queueList {{ background: transparent; border: none; outline: 0; }}

QProgressBar#scanProgress {{ background: {t.SURFACE_HI}; border: none; border-radius: 3px; max-height: 6px; }}
QProgressBar#scanProgress::chunk {{ background: {t.ACCENT}; border-radius: 3px; }}

QSlider::groove:horizontal {{ height: 4px; background: {t.SURFACE_HI}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {t.ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: #ffffff; width: 12px; height: 12px; margin: -4px 0;
                              border-radius: 6px; }}

QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {t.BORDER}; border-radius: 4px; min-height: 30px; }}
QScrollBar::handle:vertical:hover {{ background: #3a4150; }}
QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; width: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: {t.BORDER}; border-radius: 4px; min-width: 30px; }}

QMenuBar {{ background: {t.BACKGROUND}; color: {t.MUTED}; padding: 2px 10px; }}
QMenuBar::item {{ background: transparent; padding: 3px 10px; border-radius: 6px; }}
QMenuBar::item:selected {{ background: {t.SURFACE_HI}; color: {t.TEXT}; }}
QMenu {{ background: {t.SURFACE}; color: {t.TEXT}; border: 1px solid {t.BORDER}; padding: 4px; }}
QMenu::item {{ padding: 5px 22px 5px 22px; border-radius: 5px; }}
QMenu::item:selected {{ background: {t.SURFACE_HI}; }}
QMenu::item:disabled {{ color: {t.MUTED}; }}
QMenu::separator {{ height: 1px; background: {t.BORDER}; margin: 4px 8px; }}
QComboBox {{ background: {t.SURFACE_HI}; border: 1px solid {t.BORDER}; border-radius: 8px; padding: 4px 10px; }}
QComboBox:hover {{ border-color: {t.ACCENT}; }}
QComboBox QAbstractItemView {{ background: {t.SURFACE}; border: 1px solid {t.BORDER};
                               selection-background-color: {t.SURFACE_HI}; }}

QStatusBar {{ background: {t.SURFACE}; color: {t.MUTED}; }}
QStatusBar::item {{ border: none; }}
"""
