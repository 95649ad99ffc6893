"""Time-based smoothing of the face mood, so the player does not chase every twitch.

Users of face-driven players complain about jitter; a camera also delivers frames at an uneven
rate. Smoothing is therefore exponential in *time* (time constant ``tau`` seconds), not per frame:
the same face gives the same curve at 10 fps or 60 fps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class SmoothedMood:
    """The smoothed state after an update; valence/arousal are None until a face was seen."""

    valence: float | None
    arousal: float | None
    confidence: float
    probabilities: np.ndarray | None = None


class MoodSmoother:
    """Exponential smoother of (valence, arousal) plus a confidence that decays without a face.

    On a frame with a face, the estimate moves toward the new point by 1 - exp(-dt / tau) (the
    first face is taken as is) and the confidence rises toward the face's weight with tau / 2. On a frame without one, the estimate holds (the last
    mood is still the best guess) while the confidence decays toward 0 with ``confidence_tau``.
    """

    def __init__(self, tau: float = 1.5, confidence_tau: float = 2.0) -> None:
        if tau <= 0 or confidence_tau <= 0:
            raise ValueError("time constants must be positive")
        self.tau = tau
        self.confidence_tau = confidence_tau
        self.reset()

    def reset(self) -> None:
        self._v: float | None = None
        self._a: float | None = None
        self._conf = 0.0
        self._p: np.ndarray | None = None
        self._t: float | None = None

    def _dt(self, t: float) -> float:
        dt = 0.0 if self._t is None else max(0.0, t - self._t)
        self._t = t if self._t is None else max(self._t, t)
        return dt

    def update(self, t: float, valence: float, arousal: float, weight: float = 1.0,
               probabilities: np.ndarray | None = None) -> SmoothedMood:
        """Fold in a face seen at time ``t`` (seconds); ``weight`` in 0..1 is how much to trust it.

        ``probabilities`` (optional) are smoothed alongside, so the reported top emotion is as
        steady as the point on the pad.
        """
        dt = self._dt(t)
        weight = min(1.0, max(0.0, weight))
        p = None if probabilities is None else np.asarray(probabilities, dtype=np.float64)
        if self._v is None or self._a is None:
            self._v, self._a, self._p = valence, arousal, p
        else:
            k = (1.0 - math.exp(-dt / self.tau)) * weight
            self._v += k * (valence - self._v)
            self._a += k * (arousal - self._a)
            if p is not None:
                self._p = p if self._p is None else self._p + k * (p - self._p)
        # confidence builds up over about half a time constant of steady sightings
        self._conf += (1.0 - math.exp(-2.0 * dt / self.tau)) * (weight - self._conf)
        return self.state()

    def miss(self, t: float) -> SmoothedMood:
        """No face at time ``t``: hold the mood, let the confidence decay."""
        dt = self._dt(t)
        self._conf *= math.exp(-dt / self.confidence_tau)
        return self.state()

    def state(self) -> SmoothedMood:
        return SmoothedMood(self._v, self._a, self._conf, None if self._p is None else self._p.copy())
