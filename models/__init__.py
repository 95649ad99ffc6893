"""The shipped ONNX models and their cards, installed as the package ``moodplayer.models``.

This file only makes the folder a package, so that moodplayer.paths.models_dir() finds the models
through importlib.resources wherever moodplayer is installed (pyproject.toml maps models/ here).
"""
