"""Colour contrast as WCAG 2 measures it, for the colours a desk chooses:
a verdict's badge carries white text, links stand on the page's paper."""

from __future__ import annotations

import re

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
AA = 4.5  # WCAG 2 level AA, normal text
WHITE = "#ffffff"
PAPER = "#fbfaf7"  # the theme's page background, light
PAPER_DARK = "#151514"  # and dark


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def nearest_passing(colour: str, against: str) -> str:
    """The colour made darker (or lighter, against a dark ground) until it
    reaches AA against `against`: a suggestion for the hint."""
    r, g, b = rgb(colour)
    lighten = luminance(against) < 0.2
    for step in range(1, 101):
        f = step / 100
        if lighten:
            candidate = tuple(round(c + (255 - c) * f) for c in (r, g, b))
        else:
            candidate = tuple(round(c * (1 - f)) for c in (r, g, b))
        hex_colour = "#{:02x}{:02x}{:02x}".format(*candidate)
        if ratio(hex_colour, against) >= AA:
            return hex_colour
    return "#000000" if not lighten else "#ffffff"
