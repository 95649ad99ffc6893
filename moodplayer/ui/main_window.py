"""The main window: lays out the pad, camera, queue, library and now-playing, and wires them together.

The window itself holds no logic worth testing apart: the library controller loads and scans, the
mood session orders the queue, the playback controller talks to the engine. Nothing here blocks: the
first paint needs only Qt; the library, the mood index and the audio device arrive from workers.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMainWindow, QProgressBar, QPushButton, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from moodplayer.display import display_path
from moodplayer.ui import icons
from moodplayer.ui.camera_panel import CameraPanel, parse_source
from moodplayer.ui.error_notice import ErrorNotice
from moodplayer.ui.library_controller import LibraryController
from moodplayer.ui.library_model import ALBUM, ARTIST, AROUSAL, MOOD, TIME, TITLE, VALENCE, LibraryModel
from moodplayer.ui.mood_pad import MoodPad
from moodplayer.ui.mood_controller import MoodController
from moodplayer.ui.mood_session import MoodSession
from moodplayer.ui.now_playing import NowPlaying
from moodplayer.ui.playback_controller import PlaybackController
from moodplayer.ui.player import EngineFactory, Player, default_engine_factory
from moodplayer.ui.queue_panel import QueuePanel
from moodplayer.ui.settings import Settings
from moodplayer.ui.workers import Workers

if TYPE_CHECKING:
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.ui.library_data import LibraryData
    from moodplayer.ui.mpris import Mpris

SEEK_STEP = 5.0
SEARCH_DELAY_MS = 120


class _FirstPaint(QObject):
    """Calls ``fn`` once, right after ``widget`` receives its first paint event."""

    def __init__(self, widget: QWidget, fn: Callable[[], None]) -> None:
        super().__init__(widget)
        self.fn, self.done = fn, False
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            self.fn()
        return False


def _card(*widgets: QWidget, name: str = "card") -> QFrame:
    frame = QFrame()
    frame.setObjectName(name)
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        lay.addWidget(w)
    return frame


class MainWindow(QMainWindow):
    def __init__(self, db: Path, settings: Settings, *, engine_factory: EngineFactory | None = None,
                 camera_source: int | str | None = None) -> None:
        super().__init__()
        self.db, self.settings = Path(db), settings
        self.setWindowTitle("moodplayer")
        self.setAcceptDrops(True)
        self.workers = Workers(self)
        self.model = LibraryModel(self)
        self.library = LibraryController(self.db, self.workers, self, sort_column=lambda: self.model.sort_column)
        self.session = MoodSession(self)
        self.player = Player(engine_factory or default_engine_factory(settings.audio_device, self.db), self)
        self._camera_source = camera_source
        self._build()
        self.playback = PlaybackController(self.db, self.player, self.session, self.model, self.now_playing,
                                           self.workers, self)
        self.mood = MoodController(self.pad, self.camera, self.queue, self.session, self.target_label,
                                   self.settings, self.playback.play_track, self)
        self._wire()
        self._shortcuts()
        self._restore()
        self.mpris: "Mpris | None" = None
        self._started = False

    # -- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        brand = QLabel("moodplayer")
        brand.setObjectName("brand")
        self.target_label = QLabel("")
        self.target_label.setObjectName("targetLabel")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search the library  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        self.add_button = QPushButton(icons.icon("folder"), "Add music folder…")
        self.add_button.setObjectName("addFolder")
        self.settings_button = QPushButton("Settings")
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setToolTip("Camera, audio output, library folders (Ctrl+,)")
        self.busy_label = QLabel("")
        self.busy_label.setObjectName("mutedLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("scanProgress")
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        top = QHBoxLayout()
        top.setContentsMargins(18, 12, 18, 6)
        top.setSpacing(12)
        top.addWidget(brand)
        top.addWidget(self.target_label)
        top.addStretch(1)
        top.addWidget(self.busy_label)
        top.addWidget(self.progress)
        top.addWidget(self.search, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.settings_button)

        self.pad = MoodPad()
        self.pad.set_target(*self.settings.last_target)
        self.camera = CameraPanel(self._camera_device, lambda: self.settings.camera_fps)
        self.queue = QueuePanel()
        self.upper = QSplitter(Qt.Orientation.Horizontal)
        self.upper.addWidget(_card(self.pad, name="padCard"))
        self.upper.addWidget(_card(self.camera))
        self.upper.addWidget(_card(self.queue))
        self.upper.setStretchFactor(0, 1)
        self.upper.setStretchFactor(1, 0)
        self.upper.setStretchFactor(2, 0)
        self.upper.setSizes([540, 320, 400])

        self.table = QTableView()
        self.table.setObjectName("libraryTable")
        self.table.setModel(self.model)
        # no sort indicator: the library's own artist/album/track order until a header is clicked
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for col, width in ((TITLE, 280), (ARTIST, 190), (ALBUM, 210), (TIME, 64), (VALENCE, 72),
                           (AROUSAL, 72), (MOOD, 110)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.library_label = QLabel("Library")
        self.library_label.setObjectName("sectionTitle")
        lib = QWidget()
        lib_lay = QVBoxLayout(lib)
        lib_lay.setContentsMargins(14, 10, 14, 6)
        lib_lay.addWidget(self.library_label)
        lib_lay.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.upper)
        self.splitter.addWidget(_card(lib))
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([500, 230])
        self.now_playing = NowPlaying()
        self.now_playing.set_volume(self.settings.volume)
        self.player.set_volume(self.settings.volume)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(top)
        body = QVBoxLayout()
        body.setContentsMargins(14, 4, 14, 10)
        body.addWidget(self.splitter)
        lay.addLayout(body, 1)
        lay.addWidget(self.now_playing)
        self.setCentralWidget(central)

    def _wire(self) -> None:
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.add_button.clicked.connect(self.choose_folder)
        self.settings_button.clicked.connect(self.open_settings)
        self.playback.playingChanged.connect(self._title_for)
        self.model.filtered.connect(self._show_count)
        self._last_activation = (-1, 0.0)
        self.table.activated.connect(self._row_activated)
        self.table.doubleClicked.connect(self._row_activated)

        self.library.libraryLoaded.connect(self._library_loaded)
        self.library.libraryFailed.connect(self._library_failed)
        self.library.indexLoaded.connect(self._index_loaded)
        self.library.busyChanged.connect(self._busy)
        self.library.message.connect(self.show_message)
        self.errors = ErrorNotice()
        self.statusBar().addPermanentWidget(self.errors)
        self.library.problem.connect(self.errors.show_problem)
        self.playback.message.connect(self.show_message)
        self.playback.feedbackRecorded.connect(self.library.reload_index)

        self.playback.playingChanged.connect(self.pad.set_playing)
        self.mood.message.connect(self.show_message)
        self.mood.pathStarted.connect(self._path_started)

    def _shortcuts(self) -> None:
        keys: list[tuple[Qt.Key | QKeySequence, Callable[[], None]]] = [
            (Qt.Key.Key_Space, self.playback.play_pause),
            (Qt.Key.Key_MediaTogglePlayPause, self.playback.play_pause),
            (Qt.Key.Key_MediaPlay, self.playback.play_pause),
            (Qt.Key.Key_MediaPause, self.player_pause),
            (Qt.Key.Key_MediaNext, self.playback.next),
            (Qt.Key.Key_MediaPrevious, self.player.previous),
            (Qt.Key.Key_Right, lambda: self.player.seek_relative(SEEK_STEP)),
            (Qt.Key.Key_Left, lambda: self.player.seek_relative(-SEEK_STEP)),
            (QKeySequence("Ctrl+Right"), self.playback.next),
            (QKeySequence("Ctrl+Left"), self.player.previous),
            (QKeySequence("Ctrl+F"), lambda: (self.search.setFocus(), self.search.selectAll())),
            (QKeySequence("Ctrl+O"), self.choose_folder),
            (QKeySequence("Ctrl+L"), self.playback.like),
            (QKeySequence("Ctrl+,"), self.open_settings),
        ]
        self._shortcut_objects = []
        for key, fn in keys:
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(fn)
            self._shortcut_objects.append(sc)

    def player_pause(self) -> None:
        if self.player.state == "playing":
            self.player.toggle()

    # -- start-up -----------------------------------------------------------------------------------
    def start_after_first_paint(self, fallback_ms: int = 1500) -> None:
        """Begin the background work once the pad has been painted (or after ``fallback_ms`` if the
        window is hidden), so imports in the workers never compete with the first frame."""
        self._painted_filter = _FirstPaint(self.pad, lambda: QTimer.singleShot(0, self.start))
        QTimer.singleShot(fallback_ms, self.start)

    def start(self) -> None:
        """Called once the window is on screen: everything slow starts here, in the background."""
        if self._started:
            return
        self._started = True
        self.library.reload()
        QTimer.singleShot(1500, self.player.open_async)
        if self.settings.library_folders and not self.library.busy:
            QTimer.singleShot(3000, self._rescan_known_folders)

    def _rescan_known_folders(self) -> None:
        if self.library.failed:
            return   # the database cannot be used: a rescan would only fail the same way
        for folder in self.settings.library_folders:
            if Path(folder).is_dir():
                self.library.add_folder(folder)

    def _camera_device(self) -> int | str:
        return self._camera_source if self._camera_source is not None else parse_source(self.settings.camera_device)

    # -- library ------------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add music folder", str(Path.home()))
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str | Path) -> None:
        self.settings.add_library_folder(folder)
        self.library.add_folder(folder)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.isLocalFile() and Path(u.toLocalFile()).is_dir() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile() and Path(url.toLocalFile()).is_dir():
                self.add_folder(url.toLocalFile())
        event.acceptProposedAction()

    def _library_loaded(self, data: "LibraryData") -> None:
        self.model.set_library(data)
        if self.playback.current_id is not None:
            self.model.set_playing(self.playback.current_id)

    def _library_failed(self, text: str) -> None:
        self.pad.empty_text = f"The library cannot be opened.\n{display_path(text)}"
        self.pad.update()

    def _index_loaded(self, index: "MoodIndex", recent: set[int], density: QImage | None) -> None:
        self.pad.empty_text = "No analysed tracks yet.\nAdd a music folder: tracks appear here once their mood is known."
        self.pad.set_tracks(index.ids, index.position, index.titles, index.artists, density)
        self.session.set_index(index, recent)

    def _show_count(self, shown: int, total: int) -> None:
        text = f"Library · {total:,} tracks"
        if shown != total:
            text += f" · {shown:,} shown"
        self.library_label.setText(text)

    def _busy(self, what: str, done: int, total: int) -> None:
        self.progress.setVisible(bool(what))
        self.busy_label.setText(f"{what} {done:,}/{total:,}" if what and total else what)
        self.progress.setRange(0, total if total else 0)
        self.progress.setValue(done)

    def _row_activated(self, index: QModelIndex) -> None:
        # a double-click emits both doubleClicked and (on most styles) activated: act once
        now = time.monotonic()
        last_row, last_at = self._last_activation
        if not index.isValid() or (last_row == index.row() and now - last_at < 0.5):
            return
        self._last_activation = (index.row(), now)
        self.playback.play_track(self.model.track_id(index.row()), "You picked it from the library.")

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 12000)

    def _path_started(self) -> None:
        if self.player.state not in ("playing", "paused"):
            self.playback.play_pause()

    # -- settings -------------------------------------------------------------------------------------
    def open_settings(self) -> None:
        from moodplayer.ui.settings_dialog import SettingsDialog

        if SettingsDialog(self.settings, self).exec() and self.camera.running:
            self.camera.stop()     # restart with the chosen camera and rate
            self.camera.start()

    def _title_for(self, track_id: int | None) -> None:
        title = self.playback.current_title if track_id is not None else None
        self.setWindowTitle("moodplayer" if title is None else f"{title} — moodplayer")

    # -- shutdown -------------------------------------------------------------------------------------
    def _restore(self) -> None:
        geo = self.settings.geometry
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 860)
        state = self.settings.splitter_state
        if state is not None:
            self.splitter.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        s = self.settings
        s.geometry = self.saveGeometry()
        s.splitter_state = self.splitter.saveState()
        s.volume = self.player.volume
        s.last_target = self.pad.target
        s.sync()
        self.camera.stop()
        self.library.cancel()
        self.workers.cancel_all()
        self.player.close()
        self.workers.wait(10000)
        self.camera.wait_stopped(10000)
        super().closeEvent(event)
