"""Draws the app icons as PNG files with only the standard library (no imaging dependency).

Run `python -m app.pwa.icons` to rewrite app/static/icons/icon-*.png; the files are committed.
The picture is a plain house on the brand colour. The maskable icon keeps the house inside the
central 80% "safe zone", because launchers crop maskable icons to circles or squircles
(https://web.dev/articles/maskable-icon).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
BRAND = (29, 79, 99)
HOUSE = (255, 255, 255)
DOOR = (242, 169, 59)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, pixel) -> bytes:
    """An 8-bit RGB PNG whose colour at (x, y) is pixel(x, y)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def house(size: int, scale: float):
    """A pixel function: a house of `scale` times the icon's size, centred."""
    unit = size * scale
    left, right = (size - unit) / 2, (size + unit) / 2
    roof_top, eaves, bottom = size / 2 - unit * 0.45, size / 2 - unit * 0.05, size / 2 + unit * 0.45
    wall_left, wall_right = left + unit * 0.12, right - unit * 0.12
    door_left, door_right, door_top = size / 2 - unit * 0.09, size / 2 + unit * 0.09, size / 2 + unit * 0.15

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        cx, cy = x + 0.5, y + 0.5
        if door_left <= cx <= door_right and door_top <= cy <= bottom:
            return DOOR
        if roof_top <= cy <= eaves:
            half = (cy - roof_top) / (eaves - roof_top) * (unit / 2)
            if abs(cx - size / 2) <= half:
                return HOUSE
        if eaves < cy <= bottom and wall_left <= cx <= wall_right:
            return HOUSE
        return BRAND

    return pixel


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, scale in (
        ("icon-192.png", 192, 0.62),
        ("icon-512.png", 512, 0.62),
        ("icon-maskable-512.png", 512, 0.5),
    ):
        (ICONS / name).write_bytes(png(size, size, house(size, scale)))


if __name__ == "__main__":
    main()
