#!/usr/bin/env python3
"""pngcmp.py GOT.png WANT.ppm: exit 0 when the PNG shows exactly the pixels of
the binary PPM (P6, 8 bit). Alpha, if any, must be opaque. Standard library
only: the VM's chroot is the host's plain Python."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit(f"{path}: unsupported PNG (depth {depth}, color type {ctype}, interlace {interlace})")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    out, prev, p = bytearray(), bytearray(stride), 0
    for _ in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        out += line
        prev = line
    return w, h, bpp, bytes(out)


def read_ppm(path):
    # Four header tokens (with # comments between them), then exactly one
    # whitespace byte: the pixels may start with bytes that look like
    # whitespace, so they are not split off as text.
    data = open(path, "rb").read()
    tokens, i = [], 0
    while len(tokens) < 4:
        while i < len(data) and (data[i:i + 1].isspace() or data[i:i + 1] == b"#"):
            if data[i:i + 1] == b"#":
                i = data.find(b"\n", i)
                i = len(data) if i < 0 else i
            i += 1
        start = i
        while i < len(data) and not data[i:i + 1].isspace():
            i += 1
        tokens.append(data[start:i])
    if tokens[0] != b"P6" or tokens[3] != b"255" or i >= len(data):
        sys.exit(f"{path}: not an 8-bit binary PPM")
    return int(tokens[1]), int(tokens[2]), data[i + 1:]


def main():
    w, h, bpp, got = read_png(sys.argv[1])
    ww, wh, want = read_ppm(sys.argv[2])
    if (w, h) != (ww, wh):
        sys.exit(f"size differs: got {w}x{h}, want {ww}x{wh}")
    bad = 0
    for i in range(w * h):
        g = got[i * bpp:i * bpp + 3]
        if g != want[i * 3:i * 3 + 3] or (bpp == 4 and got[i * 4 + 3] != 255):
            if bad < 5:
                print(f"pixel {i % w},{i // w}: got {got[i * bpp:i * bpp + bpp].hex()}, "
                      f"want {want[i * 3:i * 3 + 3].hex()}", file=sys.stderr)
            bad += 1
    if bad:
        sys.exit(f"{bad} of {w * h} pixels differ")
    print(f"{w}x{h}: all pixels equal")


main()
