"""Opening an ONNX model: the one place that knows onnxruntime's rules for this project.

Every session (the music model, the face model, the exporters' checks) is made here, so they all
prefer the GPU the same way, stay quiet the same way and fail the same way:

- CUDA first when the installed onnxruntime offers it (and the caller allows it), else the CPU;
- the GPU wheel on a machine without a GPU logs two error lines before falling back to the CPU:
  its logger is silenced while the session is made, then set back to onnxruntime's default;
- onnxruntime opens a model by its name as UTF-8 text, so a file whose name is not UTF-8 is handed
  over as bytes instead;
- anything that goes wrong becomes a ``ModelError`` that names the file and says why.

onnxruntime is imported on first use, not on import of this module: the GUI starts without it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnxruntime

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
_QUIET, _DEFAULT = 4, 2   # onnxruntime logger severities: fatal only; warnings (its default)


class ModelError(Exception):
    """A model file is missing or unusable (or failed to run); the message names the file."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (onnxruntime's run on for a page), or its type."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def providers(use_gpu: bool = True) -> list[str]:
    """The execution providers to ask for, best first."""
    import onnxruntime as ort

    return [CUDA, CPU] if use_gpu and CUDA in ort.get_available_providers() else [CPU]


def create_session(path: str | os.PathLike[str], *, what: str = "model", use_gpu: bool = True,
                   threads: int = 0, inter_threads: int = 0,
                   error: type[ModelError] = ModelError) -> onnxruntime.InferenceSession:
    """An InferenceSession over the file at ``path``; ``threads``/``inter_threads`` of 0 leave
    onnxruntime's defaults. Raises ``error`` (a ModelError) naming the file and the reason."""
    import onnxruntime as ort

    path = Path(path)
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    if inter_threads:
        opts.inter_op_num_threads = inter_threads
    ort.set_default_logger_severity(_QUIET)
    try:
        try:
            model: str | bytes = os.fsencode(path).decode("utf-8")
        except UnicodeDecodeError:
            model = path.read_bytes()
        return ort.InferenceSession(model, sess_options=opts, providers=providers(use_gpu))
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types for a bad file
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else first_line(exc)
        raise error(f"{path}: cannot load the {what} ({reason})") from exc
    finally:
        ort.set_default_logger_severity(_DEFAULT)


def provider(session: onnxruntime.InferenceSession) -> str:
    """The provider the session really runs on (the first it accepted)."""
    return session.get_providers()[0]
