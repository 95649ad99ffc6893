"""moodplayer.playback: the gapless audio engine (Qt-free).

engine.AudioEngine plays a replaceable queue of item.QueueItem through a sounddevice stream
(device.py); decode.py + source.py turn a file into device-rate frames (soundfile/PyAV, soxr,
ReplayGain); timeline.py is the bounded buffer with track boundaries; events.py delivers callbacks
to listeners off the audio thread; history.py writes plays and file errors to the library.
"""
