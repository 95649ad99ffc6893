"""Plain words for a spot on the valence-arousal plane, so every pick can say why it was chosen.

The words themselves (and where "calm" ends) are declared in ``moodplayer.mood_geometry``.
"""
from __future__ import annotations

from moodplayer.mood_geometry import arousal_word, region_phrase, valence_word

__all__ = ["arousal_word", "valence_word", "region_phrase", "explain_pick"]


def explain_pick(distance: float, valence: float, arousal: float, *, moved_by: str | None = None,
                 step: tuple[int, int] | None = None) -> str:
    """One sentence for the queue's tooltip / the CLI's ``why`` field."""
    parts = []
    if step is not None:
        parts.append(f"step {step[0]}/{step[1]}:")
    parts.append(f"{distance:.3f} from the target; {region_phrase(valence, arousal)} "
                 f"(valence {valence:.2f}, arousal {arousal:.2f})")
    if moved_by:
        parts.append(f"- placed by your {moved_by}")
    return " ".join(parts)
