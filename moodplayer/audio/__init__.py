"""Audio files: which formats moodplayer knows (``formats``) and how they are decoded (``decode``).

One place for both, used by the library's probe, the analysis and playback alike, so the three
agree on what is a music file and which decoder reads it. Qt-free.
"""
