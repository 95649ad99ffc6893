"""Shared pytest setup: offscreen Qt and the real test media (built once into a cache outside the repo)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.media import Media, ensure  # noqa: E402


@pytest.fixture(scope="session")
def media() -> Media:
    """Real recordings, six tagged formats and a corrupt corpus; builds the cache on first use."""
    # Progress goes to the real stderr: a first build takes about a minute and should say why.
    return ensure(log=lambda msg: print(f"[test media] {msg}", file=sys.__stderr__, flush=True))


@pytest.fixture
def media_copy(media: Media, tmp_path: Path) -> Callable[..., list[Path]]:
    """copy(paths=None, subdir="media") -> fresh copies under tmp_path, for tests that modify files."""
    def copy(paths: list[Path] | None = None, subdir: str = "media") -> list[Path]:
        return media.copy_into(tmp_path / subdir, paths)
    return copy
