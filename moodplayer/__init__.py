"""moodplayer: play your own music library by mood."""

__version__ = "0.1.0"
