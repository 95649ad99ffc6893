"""Plain words for a spot on the valence-arousal plane, so every pick can say why it was chosen."""
from __future__ import annotations

# Thirds of the 0..1 scale: the middle band reads as "neutral"/"moderate" rather than forcing a side.
LOW, HIGH = 0.4, 0.6


def arousal_word(arousal: float) -> str:
    return "calm" if arousal < LOW else "energetic" if arousal > HIGH else "moderate"


def valence_word(valence: float) -> str:
    return "negative" if valence < LOW else "positive" if valence > HIGH else "neutral"


def region_phrase(valence: float, arousal: float) -> str:
    """'calm, positive', 'energetic, negative', 'moderate, neutral', ..."""
    return f"{arousal_word(arousal)}, {valence_word(valence)}"


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
