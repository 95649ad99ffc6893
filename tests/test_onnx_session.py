"""One ONNX session factory: every model opens, picks its provider and fails the same way."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from moodplayer import onnx_session
from moodplayer.onnx_session import CPU, CUDA, ModelError, create_session, provider

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_a_cpu_session_with_thread_options():
    sess = create_session(MODELS / "face_emotion.onnx", use_gpu=False, threads=1, inter_threads=1)
    assert provider(sess) == CPU
    opts = sess.get_session_options()
    assert opts.intra_op_num_threads == 1 and opts.inter_op_num_threads == 1
    out = sess.run(None, {sess.get_inputs()[0].name: np.zeros((1, 1, 48, 48), np.float32)})[0]
    assert out.shape == (1, 8)


def test_the_gpu_is_preferred_only_when_onnxruntime_offers_it():
    import onnxruntime as ort

    offered = CUDA in ort.get_available_providers()
    assert onnx_session.providers(True) == ([CUDA, CPU] if offered else [CPU])
    assert onnx_session.providers(False) == [CPU]
    assert provider(create_session(MODELS / "music_va.onnx")) in (CPU, CUDA)


def test_a_model_under_a_name_that_is_not_utf8_opens(tmp_path):
    odd = os.path.join(os.fsencode(tmp_path), b"mod\xe8le.onnx")
    shutil.copyfile(MODELS / "face_emotion.onnx", odd)
    sess = create_session(os.fsdecode(odd), use_gpu=False)
    assert sess.get_outputs()[0].shape[-1] == 8


@pytest.mark.parametrize("kind", ["garbage", "missing", "folder"])
def test_an_unusable_file_is_one_clear_error_naming_it(tmp_path, kind):
    path = tmp_path / "broken.onnx"
    if kind == "garbage":
        path.write_bytes(b"this is not a protobuf at all" * 10)
    elif kind == "folder":
        path.mkdir()
    with pytest.raises(ModelError) as info:
        create_session(path, what="test model")
    text = str(info.value)
    assert text.startswith(f"{path}: cannot load the test model (") and "\n" not in text


def test_the_models_errors_are_the_factorys():
    from moodplayer.analysis import music_model
    from moodplayer.vision import expression

    assert music_model.ModelError is ModelError
    assert issubclass(expression.ModelError, ModelError) and issubclass(expression.ModelError, ValueError)


def test_both_app_models_load_through_it(tmp_path):
    from moodplayer.analysis.music_model import MusicModel
    from moodplayer.vision import expression

    music = MusicModel(MODELS, use_gpu=False, threads=1)
    assert music.provider == CPU and music.predict(np.zeros((2, 128, 256), np.uint8)).shape == (2, 2)
    bad = tmp_path / "face_emotion.onnx"
    bad.write_bytes(b"\0" * 64)
    with pytest.raises(expression.ModelError, match="cannot load the face model"):
        expression.ExpressionModel(bad)
