"""Rendering: inventory -> per-device context -> Jinja2 template per platform and role."""
