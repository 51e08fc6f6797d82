#!/usr/bin/env python3
"""Draws the field app's icons (icon-192.png, icon-512.png) with the standard library only.

A white card on the brand green bearing a QR-like seal: the three finder patterns of a
21-module code around a fixed pattern (not a readable code). The card stays inside the
middle 80%, so the icon is also safe to mask (round or squircle launchers).

Run from this folder: python3 make-icons.py
"""

import random
import struct
import zlib

GREEN = (0x0B, 0x5D, 0x3B)
WHITE = (0xFF, 0xFF, 0xFF)
INK = (0x1D, 0x23, 0x27)
MODULES = 21


def seal_modules():
    """Dark modules of the 21 x 21 seal: finder patterns plus a fixed scatter."""
    dark = [[False] * MODULES for _ in range(MODULES)]
    rng = random.Random(20261127)
    for r in range(MODULES):
        for c in range(MODULES):
            dark[r][c] = rng.random() < 0.45
    for r0, c0 in ((0, 0), (0, MODULES - 7), (MODULES - 7, 0)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                rr, cc = r0 + r, c0 + c
                if 0 <= rr < MODULES and 0 <= cc < MODULES:
                    ring = max(abs(r - 3), abs(c - 3))
                    dark[rr][cc] = ring in (0, 1, 3)
    return dark


def draw(size):
    dark = seal_modules()
    card = round(size * 0.62)  # the white card's side
    card_at = (size - card) // 2
    module = card * 0.78 / MODULES
    code_at = card_at + (card - module * MODULES) / 2
    radius = card * 0.08
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type 0
        for x in range(size):
            colour = GREEN
            cx, cy = x - card_at, y - card_at
            if 0 <= cx < card and 0 <= cy < card:
                # Rounded corners: outside the corner circles stays green.
                dx = max(radius - cx, 0, cx - (card - 1 - radius))
                dy = max(radius - cy, 0, cy - (card - 1 - radius))
                if dx * dx + dy * dy <= radius * radius:
                    colour = WHITE
                    mx, my = int((x - code_at) // module), int((y - code_at) // module)
                    if 0 <= mx < MODULES and 0 <= my < MODULES and x >= code_at and y >= code_at and dark[my][mx]:
                        colour = INK
            row.extend(colour)
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    for size in (192, 512):
        with open(f"icon-{size}.png", "wb") as f:
            f.write(draw(size))
