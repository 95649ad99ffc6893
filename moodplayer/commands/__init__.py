"""Headless sub-commands. Each module defines ``add_parser(subparsers)`` and ``run(args) -> int``.

Modules are imported only when the CLI builds its parser, never by the GUI start path.
"""
