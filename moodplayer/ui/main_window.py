"""The main window: lays out the library, the pad, the queue, the camera and now-playing, and wires
them together.

The window itself holds no logic worth testing apart: the library controller loads and scans, the
mood session orders the queue, the playback controller talks to the engine. Nothing here blocks: the
first paint needs only Qt; the library, the mood index and the audio device arrive from workers.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import (QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QImage)
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel,
                               QMainWindow, QProgressBar, QPushButton, QSizePolicy,
                               QSplitter, QVBoxLayout, QWidget)

from moodplayer.display import display_path, tooltip_html
from moodplayer.no_sound import SHORT_LINES, SHORT_TITLE, no_sound_advice
from moodplayer.ui import icons
from moodplayer.ui.camera_pane import SEEK_STEP, CameraPane, install_shortcuts  # noqa: F401 (SEEK_STEP: public)
from moodplayer.ui.camera_panel import CameraPanel
from moodplayer.ui.photo_mood import wire_photo_mood
from moodplayer.ui.cluster_control import ClusterControl
from moodplayer.ui.error_notice import ErrorNotice
from moodplayer.ui.library_controller import LibraryController
from moodplayer.ui.library_model import LibraryModel
from moodplayer.ui.library_pane import build_library_pane
from moodplayer.ui.mood_pad import MoodPad
from moodplayer.ui.mood_controller import MoodController
from moodplayer.ui.mood_session import MoodSession
from moodplayer.ui.now_playing import ElidedLabel, NowPlaying
from moodplayer.ui.playback_controller import PlaybackController
from moodplayer.ui.player import EngineFactory, Player, default_engine_factory
from moodplayer.ui.queue_panel import QueuePanel
from moodplayer.ui.resume import ResumePoint
from moodplayer.ui.settings import Settings
from moodplayer.ui.window_parts import AutoSizes, FirstPaint, WindowMenus, card, pad_column
from moodplayer.ui.workers import Workers

if TYPE_CHECKING:
    from moodplayer.recommend.index import MoodIndex
    from moodplayer.ui.library_data import LibraryData
    from moodplayer.ui.mpris import Mpris


SEARCH_DELAY_MS = 120


class MainWindow(CameraPane, QMainWindow):
    def __init__(self, db: Path, settings: Settings, *, engine_factory: EngineFactory | None = None,
                 camera_source: int | str | None = None) -> None:
        super().__init__()
        self.db, self.settings = Path(db), settings
        self.setWindowTitle("moodplayer")
        self.setAcceptDrops(True)
        self.workers = Workers(self)
        self.model = LibraryModel(self)
        self.library = LibraryController(self.db, self.workers, self, sort_column=lambda: self.model.sort_column)
        self.library.analysis_workers = settings.analysis_workers
        self.session = MoodSession(self)
        self.player = Player(engine_factory or default_engine_factory(settings.audio_device, self.db), self)
        self._camera_source = camera_source
        self._build()
        self.playback = PlaybackController(self.db, self.player, self.session, self.model, self.now_playing,
                                           self.workers, self)
        self.mood = MoodController(self.pad, self.camera, self.queue, self.session, self.target_label,
                                   self.settings, self.playback.play_track, self)
        self.clusters = ClusterControl(self.pad, self.queue, self.session, self.workers, self)
        self.clusters.on_play = self._play_first
        self.resume = ResumePoint(self.settings, self.playback, self.now_playing, self)
        self._wire()
        self._build_menu()
        wire_photo_mood(self)
        install_shortcuts(self)
        self._restore()
        self.mpris: "Mpris | None" = None
        self._started = False
        self.pad.setFocus()    # keys go to the pad and the window's shortcuts (Space plays), not the search

    # -- layout -------------------------------------------------------------------------------------
    # Three panes side by side, each as tall as the window allows: the library (left), the mood pad
    # (centre) and the queue over the camera (right). All are splitters whose sizes are kept; at
    # 1024x700 the library still shows more than ten rows and the pad stays square.
    def _build(self) -> None:
        brand = QLabel("moodplayer")
        brand.setObjectName("brand")
        self.target_label = QLabel("")
        self.target_label.setObjectName("targetLabel")
        self.target_label.setMinimumWidth(0)
        self.target_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.add_button = QPushButton(icons.icon("folder"), "Add music folder…")
        self.add_button.setObjectName("addFolder")
        self.settings_button = QPushButton("Settings")
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setToolTip("Camera, audio output, music folders, analysis speed (Ctrl+,)")
        self.busy_label = ElidedLabel("")
        self.busy_label.setObjectName("mutedLabel")
        self.busy_label.setMinimumWidth(120)
        self.busy_label.setMaximumWidth(320)
        self.busy_label.hide()
        self.progress = QProgressBar()
        self.progress.setObjectName("scanProgress")
        self.progress.setFixedWidth(110)
        self.progress.setTextVisible(False)
        self.progress.hide()
        top = QHBoxLayout()
        top.setContentsMargins(18, 6, 18, 4)
        top.setSpacing(12)
        top.addWidget(brand)
        top.addWidget(self.target_label, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.settings_button)

        self.pad = MoodPad()
        self.pad.set_target(*self.settings.last_target)
        self.camera = CameraPanel(self._camera_device, lambda: self.settings.camera_fps)
        self.camera.source_picker.set_value(str(self._camera_source if self._camera_source is not None
                                                else self.settings.camera_device))
        self.queue = QueuePanel()
        self.camera_card = card(self.camera)
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setObjectName("sideSplitter")
        self.side.addWidget(card(self.queue))
        self.side.addWidget(self.camera_card)
        self.side.setStretchFactor(0, 1)
        self.side.setStretchFactor(1, 0)
        self.side.setChildrenCollapsible(False)

        self.library_pane = build_library_pane(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.library_pane)
        pad_card = pad_column(self.pad, self.queue.mood_controls)
        self.splitter.addWidget(pad_card)
        self.splitter.addWidget(self.side)
        for i, stretch in enumerate((2, 1, 0)):
            self.splitter.setStretchFactor(i, stretch)
        self.splitter.setChildrenCollapsible(False)
        self.auto_sizes = AutoSizes(self.splitter)
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

    def _build_menu(self) -> None:
        """The menu bar; a feature adds its action with one ``self.menus.add(...)``."""
        m = self.menus = WindowMenus(self)
        m.add("File", "add_folder", "&Add music folder…", self.choose_folder, "Ctrl+O")
        m.add("File", "save_map", "Save mood &map…", self.save_mood_map, "Ctrl+M")
        m.separator("File")
        m.add("File", "settings", "&Settings…", self.open_settings, "Ctrl+,")
        m.separator("File")
        m.add("File", "quit", "&Quit", self.close, "Ctrl+Q")
        m.add("View", "search", "&Search the library", self.focus_search, "Ctrl+F")
        m.add("View", "camera_panel", "&Camera panel", self.show_camera_panel, checkable=True).setChecked(True)

    def add_action(self, menu: str, name: str, text: str, fn: Callable[..., object],
                   shortcut: str | None = None) -> QAction:
        """A menu action (``self.actions_[name]``), as ``self.menus.add``."""
        return self.menus.add(menu, name, text, fn, shortcut)

    @property
    def actions_(self) -> dict[str, QAction]:
        return self.menus.actions

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
        # scan/analysis progress lives in the status bar: the top bar keeps the mood and the buttons
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.library.problem.connect(self.errors.show_problem)
        self.playback.message.connect(self.show_message)
        self.playback.feedbackRecorded.connect(self.library.reload_index)
        self.player.stateChanged.connect(self._player_state)
        # play/pause first offers to continue where the listener left off (ResumePoint)
        self.now_playing.playPauseClicked.disconnect(self.playback.play_pause)
        self.now_playing.playPauseClicked.connect(self.play_pause)

        self.playback.playingChanged.connect(self.pad.set_playing)
        self.mood.message.connect(self.show_message)
        self.mood.pathStarted.connect(self._path_started)
        self.clusters.message.connect(self.show_message)
        self.camera.sourceChosen.connect(self._camera_source_chosen)
        self.camera.runningChanged.connect(self._fit_camera_card)

    def play_pause(self) -> None:
        """Space and the play button: continue where the last run left off, else play/pause."""
        if not self.resume.play_pause():
            self.playback.play_pause()

    def player_pause(self) -> None:
        if self.player.state == "playing":
            self.player.toggle()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- start-up -----------------------------------------------------------------------------------
    def start_after_first_paint(self, fallback_ms: int = 1500) -> None:
        """Begin the background work once the pad has been painted (or after ``fallback_ms`` if the
        window is hidden), so imports in the workers never compete with the first frame."""
        self._painted_filter = FirstPaint(self.pad, lambda: QTimer.singleShot(0, self.start))
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
        self.clusters.index_loaded(index)
        self.resume.index_loaded(index)

    def _show_count(self, shown: int, total: int) -> None:
        text = f"Library · {total:,} track{'' if total == 1 else 's'}"
        if shown != total:
            text += f" · {shown:,} shown"
        self.library_label.setText(text)

    def _busy(self, what: str, done: int, total: int) -> None:
        self.progress.setVisible(bool(what))
        self.busy_label.setVisible(bool(what))
        self.busy_label.setFullText(f"{what} {done:,}/{total:,}" if what and total else what)
        self.busy_label.setToolTip(tooltip_html(self.busy_label.fullText()))
        self.progress.setRange(0, total if total else 0)
        self.progress.setValue(done)
        analysing = what.startswith("Analysing")
        self.queue.set_analysing(max(0, total - done) if analysing and total else 0)

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

    def _play_first(self, track_id: int) -> None:
        """A cluster was picked: play its first track now (the rest of it follows)."""
        self.playback.play_track(track_id)

    def _player_state(self, state: str, message: str) -> None:
        if state == "no-device":
            self.now_playing.show_notice(SHORT_TITLE, SHORT_LINES,
                                         f"{no_sound_advice(message)}\n(the sound system said: {message})")

    def save_mood_map(self, path: str | Path | None = None) -> bool:
        """"Save mood map…": the library on the mood plane with its clusters, as a PNG."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Save mood map", str(Path.home() / "mood map.png"),
                                                  "PNG images (*.png)")
            if not path:
                return False
            if not str(path).lower().endswith(".png"):
                path = f"{path}.png"
        return self.clusters.save_map(path)

    # -- settings -------------------------------------------------------------------------------------
    def open_settings(self) -> None:
        from moodplayer.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if not dialog.exec():
            return
        self.library.analysis_workers = self.settings.analysis_workers
        self.camera.source_picker.set_value(self.settings.camera_device)
        self._camera_source = None
        for folder in dialog.added:
            self.library.add_folder(folder)
        if self.camera.running:
            self.camera.stop()     # restart with the chosen camera and rate
            self.camera.start()

    def _title_for(self, track_id: int | None) -> None:
        # a title that ends in the application's name is shown as is (Qt adds it to any other title)
        title = self.playback.current_title if track_id is not None else None
        self.setWindowTitle("moodplayer" if title is None else f"{title} — moodplayer")

    # -- sizes kept between runs, shutdown ------------------------------------------------------------
    def _panes(self) -> dict[str, QSplitter]:
        return {"main": self.splitter, "side": self.side}

    def _restore(self) -> None:
        geo = self.settings.geometry
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 860)
        self.side.setSizes([520, 200])
        for name, splitter in self._panes().items():
            state = self.settings.pane_state(name)
            if state is not None:
                splitter.restoreState(state)
                self.auto_sizes.user = self.auto_sizes.user or splitter is self.splitter
        self.show_camera_panel(self.settings.camera_panel_shown)
        self._fit_camera_card(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        s = self.settings
        s.geometry = self.saveGeometry()
        for name, splitter in self._panes().items():
            s.set_pane_state(name, splitter.saveState())
        s.volume = self.player.volume
        s.last_target = self.pad.target
        self.resume.save()
        s.sync()
        self.camera.stop()
        self.library.cancel()
        self.workers.cancel_all()
        self.player.close()
        self.workers.wait(10000)
        self.library.save_view()   # after the workers: a write still in flight would make it stale
        self.camera.wait_stopped(10000)
        super().closeEvent(event)
