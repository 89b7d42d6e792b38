#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/TARGET/) from
readable descriptions of each input: a handful of meaningful cases per
target, in the byte layout each target's first comment describes.

    tests/fuzz/make-seeds.py        # rewrites the seed-* files

Files named finding-* reproduce findings in src/ (the input that showed
them, kept so every replay runs it and fails until the fix): the ones
written here are the short versions of what the fuzzers found, named by the
FUZZ_CHECK_KNOWN tag of the check they break. Others (libFuzzer's crash-*
files, renamed) are never touched."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
seeds = {}


def seed(target, name, data):
    seeds.setdefault(target, []).append(("seed-" + name, bytes(data)))


def finding(target, name, data):
    seeds.setdefault(target, []).append(("finding-" + name, bytes(data)))


u8 = lambda v: bytes([v & 0xff])
u16 = lambda v: struct.pack("<H", v & 0xffff)
u32 = lambda v: struct.pack("<I", v & 0xffffffff)

# --- fuzz_decode_plane (fuzz-plane-ref.c) ---------------------------------
KNOWN = ["XR24", "AR24", "XB24", "AB24", "RG16", "XR30", "XB30"]
MODS = {"linear": 0, "x": 2, "y": 3, "yf": 4, "invalid": 5}
PRIMARY_DIMS = [1, 2, 63, 64, 128, 256, 480, 640, 768, 800, 1024, 1080, 1200, 1920, 3840,
                4096, 16384]
CURSOR_DIMS = [1, 32, 64, 128, 255, 256]
POSITIONS = [0, 1, 100, 1919, 1920, 0x7fffffff, 0x80000000, 0xfffffff6, 0xffffffff]


def near(delta=0):
    """fuzz_near: the base itself, or base +- delta (1..256)."""
    if delta == 0:
        return u8(0)
    if delta == 1:
        return u8(1)
    if delta == -1:
        return u8(2)
    return u8(3) + u8(delta - 1) if delta > 0 else u8(4) + u8(-delta - 1)


def raw32(v):
    return u8(6) + u32(v)


def plane(fmt="XR24", mod="linear", w=1920, h=1080, cursor=False, stride=0, size=0,
          x=0, y=0, hot=None, ident=1):
    """@w/@h: values from the dims table; @stride/@size: deltas from the
    tight values; @x/@y: values from POSITIONS; @hot: None (unknown) or
    (dx, dy) deltas from (w - 1, h - 1)."""
    dims = CURSOR_DIMS if cursor else PRIMARY_DIMS
    out = u8(KNOWN.index(fmt)) + u8(MODS[mod])
    out += u8(dims.index(w)) + near() + u8(dims.index(h)) + near()
    out += near(stride) + near(size)
    out += u8(POSITIONS.index(x)) + near() + u8(POSITIONS.index(y)) + near()
    if hot is None:
        out += u8(0)
    else:
        out += u8(1) + near(hot[0]) + near(hot[1])
    return out + u8(ident)


# --- plane ----------------------------------------------------------------
DMABUF, REGION, MEMORY = 0, 1, 2


def kind(cursor=False, source=DMABUF, mmap=True):
    return u8((1 if cursor else 0) | source << 1 | (8 if mmap else 0))


def region(delta=0):
    return u8(16) + near(delta)


seed("plane", "primary-1080p", kind() + plane() + region())
seed("plane", "primary-stride-short", kind() + plane(stride=-1) + region())
seed("plane", "primary-size-short", kind() + plane(size=-1) + region())
seed("plane", "primary-max", kind() + plane(w=16384, h=16384) + region())
seed("plane", "primary-rgb565-tiled-y", kind() + plane("RG16", "y", 640, 480) + region())
seed("plane", "cursor-64-offscreen", kind(True) + plane("AR24", w=64, h=64, cursor=True,
                                                      x=0xfffffff6, y=0xffffffff) + region())
seed("plane", "cursor-256-hot-corner", kind(True) + plane("AR24", w=256, h=256, cursor=True,
                                                        hot=(0, 0)) + region())
seed("plane", "cursor-hot-outside", kind(True) + plane("AR24", w=64, h=64, cursor=True,
                                                     hot=(1, 0)) + region())
seed("plane", "region-exact", kind(source=REGION) + plane(w=1024, h=768) + region())
seed("plane", "region-short", kind(source=REGION) + plane(w=1024, h=768) + region(-1))
seed("plane", "region-no-mmap", kind(source=REGION, mmap=False) + plane(w=1024, h=768)
     + region())
seed("plane", "memory-800x480", kind(source=MEMORY) + plane(w=800, h=480) + region())

# --- scanout (fuzz-scanout.c) ---------------------------------------------
ERRNO = {"EINVAL": 0, "EFAULT": 3, "ENOMEM": 4, "EAGAIN": 6, "ENOTTY": 7, "EBUSY": 8,
         "ENODEV": 10, "EIO": 11}
SIZES = [0, 4096, 1228800, 1 << 21, 3145728, 1 << 23, 8294400]


def header(dmabuf=True, regions=()):
    probes = 0 if dmabuf else 0x05  # dma-buf probe EINVAL, region probe 0
    out = u8(probes)
    regions = list(regions) + [(9, 0, True)] * (4 - len(regions))
    for index, size, mmap in regions:
        out += u8(index | (0 if mmap else 0x80)) + u8(SIZES.index(size)) + near()
    return out


def q_errno(name):
    return u8(0) + u8(ERRNO[name])


def q_new(p, slot=0):
    return u8(1) + u8(15) + p + u8(slot)


def q_repeat():
    return u8(1) + u8(3)


def q_empty():
    return u8(1) + u8(2)


def q_slot(slot):
    return u8(1) + u8(8) + u8(slot)


def q_other():
    return u8(1) + u8(13)


def q_moved(dx, dy):
    return u8(1) + u8(14) + near(dx) + near(dy)


def get(kind="page"):
    return u8({"page": 1, "exact": 3, "size": 4, "zero": 8}[kind])


def get_short(by):
    return u8(7) + u8(by)


def get_errno(name):
    return u8(0) + u8(ERRNO[name])


PRIMARY = plane()
CURSOR = plane("AR24", w=64, h=64, cursor=True, x=100, y=100, hot=(-60, -60), ident=2)
tick_steady = q_repeat() + q_repeat()

seed("scanout", "gvt-steady-with-cursor",
     header() + q_new(PRIMARY) + get() + q_new(CURSOR, 1) + get() + tick_steady * 3
     + q_repeat() + q_moved(5, -3) + tick_steady)
seed("scanout", "mbochs-enomem-then-live",
     header() + q_errno("ENOMEM") + q_new(PRIMARY) + get() + q_empty() + tick_steady * 2)
seed("scanout", "dmabuf-shorter-than-plane",
     header() + q_new(PRIMARY) + get_short(200) + q_repeat() + q_repeat()
     + q_new(plane(ident=3), 2) + get("page") + q_empty())
seed("scanout", "reused-id-other-geometry",
     header() + q_new(plane(w=1024, h=768)) + get() + q_empty()
     + q_new(plane(w=1920, h=1080), 1) + get() + q_empty()
     + q_slot(0) + get() + q_empty())
seed("scanout", "mdpy-region-cursor-echo",
     header(False, [(6, 8294400, True)]) + q_new(plane(ident=6)) + u8(1) + q_other()
     + tick_steady * 2)
seed("scanout", "lost-on-query",
     header() + q_new(PRIMARY) + get() + q_empty() + q_repeat() + q_errno("ENODEV")
     + q_repeat())
seed("scanout", "eio-on-get", header() + q_new(PRIMARY) + get_errno("EIO") + q_repeat())
seed("scanout", "retry-errnos",
     header() + q_new(PRIMARY) + get() + q_empty() + q_errno("EINVAL") + q_errno("EFAULT")
     + q_repeat() + q_errno("EBUSY") + q_repeat() + get_errno("EAGAIN") + q_repeat()
     + q_empty())
seed("scanout", "cursor-hotspot-outside",
     header() + q_new(PRIMARY) + get()
     + q_new(plane("AR24", w=64, h=64, cursor=True, hot=(1, 0), ident=2), 1) + tick_steady)
# The cursor keeps one id while the primary cycles through many: the cache
# must stay bounded.
cycle = b""
for i in range(8):
    cycle += q_new(plane(w=[640, 800, 1024, 1920][i % 4], h=[480, 768, 1080, 1200][i % 4],
                         ident=3 + i % 5), i % 4) + get() + q_repeat()
# The cache holds six, the cursor's id 2 among them; then the cursor answer
# names the current primary's id 7 with cursor geometry: the primary's entry
# is evicted as a reused id, the primary still shows (and holds) its fd, and
# the trim doesn't count it: seven dma-bufs held.
fill = b""
for i, (w, h) in enumerate([(640, 480), (800, 768), (1024, 1080), (1920, 1200), (640, 768)]):
    fill += q_new(plane(w=w, h=h, ident=3 + i), i % 4) + get() + q_repeat()
finding("scanout", "fd-bound-after-reuse",
        header() + q_new(PRIMARY) + get() + q_new(CURSOR, 1) + get() + fill
        + q_repeat() + q_new(plane("AR24", w=128, h=64, cursor=True, ident=7), 3) + get()
        + tick_steady)
seed("scanout", "many-primaries-one-cursor",
     header() + q_new(PRIMARY) + get() + q_new(CURSOR, 1) + get() + cycle)
# The device shows the cursor's buffer (id 2, 64x64) as the primary: the
# poller's cache key includes the plane type, so it evicts the cursor's fd
# as a "reused id" and GETs the same id again while the cursor holds it.
finding("scanout", "get-across-kinds",
        header() + q_new(PRIMARY) + get() + q_new(CURSOR, 1) + get()
        + q_slot(1) + get() + q_repeat() + get())


# --- scanout-sim (fuzz-scanout-sim.c) -------------------------------------
SIM_FOURCC = ["XR24", "AR24", "XB24", "AB24", "RG16", "XR30", "XB30", "NV12", "RG24"]
SIM_MODS = ["linear", "x", "y", "yf"]
POLL = u8(10)


def sim(region=False, echo=False, enomem=False):
    return u8((1 if region else 0) | (2 if echo else 0) | (4 if enomem else 0))


def set_mode(w, h, fmt="XR24", mod="linear", pad=None):
    return (u8(0) + u8(SIM_FOURCC.index(fmt)) + u8(SIM_MODS.index(mod)) + u16(w - 1)
            + u16(h - 1) + u8(0 if pad is None else 128 + pad))


def set_cursor(size, hot_unknown=True):
    return u8(4) + u8({64: 0, 128: 1, 256: 2}[size]) + (u8(0) if hot_unknown
                                                        else u8(1) + near(-3) + near(-4))


def move(x=100, y=100):
    # fuzz_near around 100 (second byte even) by +delta
    return u8(5) + u8(0) + near(x - 100) + u8(0) + near(y - 100)


FLIP, DISABLE, HIDE = u8(3), u8(2), u8(6)


def inject_error(name):
    return u8(8) + u8({"EINVAL": 0, "EFAULT": 3, "ENOMEM": 4, "EIO": 8}[name])


def inject_plane(p, cursor=False):
    return u8(7) + u8(1 if cursor else 0) + p


seed("scanout-sim", "flips-and-cursor",
     sim() + set_mode(1024, 768) + POLL + set_cursor(64) + move(200, 150) + POLL + FLIP
     + POLL + FLIP + POLL + move(90, 80) + POLL + HIDE + POLL)
seed("scanout-sim", "gvt-echo-when-off",
     sim(echo=True) + POLL + set_mode(1920, 1080) + POLL + DISABLE + POLL + POLL)
seed("scanout-sim", "mbochs-enomem-after-modeset",
     sim(enomem=True) + set_mode(800, 600) + POLL + POLL + set_mode(1024, 768) + POLL + POLL)
seed("scanout-sim", "tiled-modes",
     sim() + set_mode(1920, 1080, mod="x") + POLL + set_mode(1366, 768, mod="y") + POLL
     + set_mode(1280, 720, "AR24", "yf", pad=3) + POLL)
seed("scanout-sim", "unknown-fourcc", sim() + set_mode(640, 480, "NV12", pad=0) + POLL + POLL)
seed("scanout-sim", "three-modes-id-reuse",
     sim() + set_mode(640, 480) + POLL + set_mode(800, 600) + POLL + set_mode(1024, 768)
     + POLL + set_mode(640, 480) + POLL + FLIP + POLL)
seed("scanout-sim", "injected-garbage-and-errors",
     sim() + set_mode(1024, 768) + POLL + inject_plane(plane(stride=-1)) + POLL
     + inject_error("EINVAL") + POLL + inject_error("ENOMEM") + POLL + POLL
     + inject_error("EIO") + POLL + POLL)
# mdpy-style region device, new mode: the sim gives region 16 new memory;
# the poller keeps its first mapping (and region size): it shows the old
# memory, then refuses the larger mode against the old size.
finding("scanout-sim", "region-stale-mapping",
        sim(region=True) + set_mode(1024, 768) + POLL + POLL + set_mode(1000, 700) + POLL
        + POLL + set_mode(1920, 1080) + POLL)
seed("scanout-sim", "mdpy-region",
     sim(region=True) + set_mode(1024, 768) + POLL + POLL + DISABLE + POLL
     + set_mode(1024, 768) + POLL)

# --- mdev-description -------------------------------------------------------
seed("mdev-description", "gvt-v5-4",
     b"low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n")
seed("mdev-description", "gvt-v5-8",
     b"low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\n")
seed("mdev-description", "one-line",
     b"low_gm_size: 128MB, high_gm_size: 512MB, fence: 4, resolution: 1920x1200, weight: 4")
seed("mdev-description", "spaced-units", b"low_gm_size: 256 MB\nhigh_gm_size:1024mb\n")
seed("mdev-description", "signs-and-whitespace",
     b"fence:\v+4\nweight: 007\nresolution: 1920 x 1080\nlow_gm_size: \t64MB\n")
seed("mdev-description", "overflow",
     b"fence: 2147483648\nweight: 2147483647\nresolution: 99999999999x1\n")
seed("mdev-description", "duplicates", b"fence: 4\nfence: x\nweight: 1\nweight: 2\n")
seed("mdev-description", "mbochs", b"virtual display, 16MB video memory")
seed("mdev-description", "uuid", b"5c4a9e0d-2f51-4d3b-9a6e-0B7C1D2E3F40")

# --- mdev-resolve -----------------------------------------------------------
DIRECT, SLASH, DOT, BUS, DOTDOT, NOTYPE, NOTUUID = range(7)


def resolve(variant, group=None, driver=None, shape=0):
    links = (1 if group is not None else 0) | (2 if driver is not None else 0) | shape << 2
    g = group or b""
    # The group name is length-prefixed; the driver's runs to the end.
    return u8(variant) + u8(links) + u8(len(g)) + g + (driver or b"")


seed("mdev-resolve", "group-7", resolve(DIRECT, b"7", b"vfio_mdev"))
seed("mdev-resolve", "kernel-style-link", resolve(BUS, b"12", b"vfio_mdev", shape=1))
seed("mdev-resolve", "trailing-slash-path", resolve(SLASH, b"0", shape=2))
seed("mdev-resolve", "dot-path", resolve(DOT, b"2147483647"))
seed("mdev-resolve", "dotdot-path", resolve(DOTDOT, b"3"))
seed("mdev-resolve", "plus-sign", resolve(DIRECT, b"+7"))
seed("mdev-resolve", "leading-zero", resolve(DIRECT, b"07"))
seed("mdev-resolve", "space", resolve(DIRECT, b" 7"))
seed("mdev-resolve", "overflow", resolve(DIRECT, b"2147483648"))
seed("mdev-resolve", "no-group", resolve(DIRECT, None, b"i915"))
seed("mdev-resolve", "dotdot-name", resolve(DIRECT, b".."))
seed("mdev-resolve", "not-utf8", resolve(DIRECT, b"\xff7", b"\xfe"))
seed("mdev-resolve", "over-long", resolve(DIRECT, b"123456789", shape=4))
seed("mdev-resolve", "not-an-mdev", resolve(NOTYPE, b"5"))
seed("mdev-resolve", "not-a-uuid", resolve(NOTUUID, b"5"))

# --- edid ------------------------------------------------------------------
EDID_DIMS = [0, 1, 2, 240, 320, 399, 400, 401, 480, 640, 720, 768, 800, 1024, 1080, 1200,
             1366, 1920, 2160, 2560, 3000, 3840, 4000, 4095, 4096, 5120, 65535]


def dim(v, delta=0):
    return u8(EDID_DIMS.index(v)) + near(delta)


def edid(w, h, max_w=None, max_h=None, region=None, windows=()):
    out = dim(*w) + dim(*h)
    out += u8((1 if max_w else 0) | (2 if max_h else 0))
    out += (dim(*max_w) if max_w else b"") + (dim(*max_h) if max_h else b"")
    if region is None:
        return out + u8(0)
    out += u8(1) + dim(*region[0]) + dim(*region[1])
    for win in windows:
        out += dim(*win[0]) + dim(*win[1])
    return out


seed("edid", "1080p-window-in-1200p-vgpu",
     edid((1920,), (1080,), region=((1920,), (1200,)),
          windows=[((1920,), (1080,)), ((2560,), (1200,)), ((320,), (240,)), ((1366,), (768,))]))
seed("edid", "limits-above-preferred", edid((1024,), (768,), (3840,), (2160,)))
seed("edid", "limits-below-preferred", edid((1920,), (1200,), (640,), (480,)))
seed("edid", "4000x3000-too-fast", edid((4000,), (3000,)))
seed("edid", "320x240-too-slow", edid((320,), (240,)))
seed("edid", "near-10MHz", edid((400,), (320, -20)))
seed("edid", "4095-and-4096", edid((4095,), (480,), region=((4096,), (4096,)),
                                   windows=[((4096,), (4096,)), ((4095,), (1,))]))
seed("edid", "zero", edid((0,), (768,), region=((800,), (640, -40)),
                          windows=[((0,), (0,)), ((1,), (1,))]))
seed("edid", "tiny-vgpu-limit", edid((640,), (480,), region=((1,), (1,)),
                                     windows=[((1920,), (1080,))]))
seed("edid", "odd-sizes", edid((1366,), (768,), (1366, 1), (768, -1)))

# --- screendump-ppm (fuzz-screendump-ppm.c) --------------------------------
# QEMU 7.2's screendump writes "P6\n%d %d\n255\n" (captured: 640x480 for the
# inactive-console placeholder, 1024x768 for SeaBIOS on ramfb), then the
# rows of RGB.
PPM_MAX_HEADER = 256


def ppm_whole(header, w, h, delta=0):
    """The whole file: @header and w * h * 3 + @delta pixel bytes of 0xff
    (the last byte's top bit set: no claimed extra size)."""
    return header + b"\xff" * (w * h * 3 + delta)


def ppm_claimed(header, file_size, given=0):
    """@header, @given pixel bytes, then the 4 bytes that claim the rest of
    a @file_size bytes file (the API's header-only form)."""
    data = header + b"\0" * given
    extra = file_size - len(data) - 4
    assert 0 <= extra < 1 << 31
    return data + u32(extra)


def qemu_header(w, h):
    return b"P6\n%d %d\n255\n" % (w, h)


for w, h in [(640, 480), (1024, 768), (1920, 1080)]:
    hdr = qemu_header(w, h)
    seed("screendump-ppm", f"qemu-{w}x{h}-header-only", ppm_claimed(hdr, len(hdr) + w * h * 3))
hdr = qemu_header(1024, 768)
seed("screendump-ppm", "qemu-1024x768-one-byte-short",
     ppm_claimed(hdr, len(hdr) + 1024 * 768 * 3 - 1))
seed("screendump-ppm", "qemu-1024x768-bigger-file",
     ppm_claimed(hdr, len(hdr) + 1024 * 768 * 3 + 4096, given=16))
seed("screendump-ppm", "qemu-16x12-whole", ppm_whole(qemu_header(16, 12), 16, 12))
seed("screendump-ppm", "qemu-16x12-one-byte-short", ppm_whole(qemu_header(16, 12), 16, 12, -1))
seed("screendump-ppm", "qemu-16x12-trailing", ppm_whole(qemu_header(16, 12), 16, 12, 7))
seed("screendump-ppm", "1x1-spaces", ppm_whole(b"P6 1 1 255 ", 1, 1))
seed("screendump-ppm", "comments",
     ppm_whole(b"P6\n# CREATOR: GIMP PNM Filter\n4#w\n3\n# maxval\r255\n", 4, 3))
seed("screendump-ppm", "other-whitespace", ppm_whole(b"P6\t4\v\f3\r\n255\t", 4, 3))
seed("screendump-ppm", "crlf", ppm_whole(b"P6\r\n4 3\r\n255\r\n", 4, 3, -1))
seed("screendump-ppm", "leading-zeros", ppm_whole(b"P6\n00004 00003\n00255\n", 4, 3))
pad = b"# " + b"x" * 45 + b"\n"
hdr = b"P6\n" + pad * 5 + b"#abc\n1 1\n255\n"
assert len(hdr) == PPM_MAX_HEADER
seed("screendump-ppm", "header-256-bytes", ppm_whole(hdr, 1, 1))
seed("screendump-ppm", "header-257-bytes", ppm_whole(hdr.replace(b"#abc", b"#abcd"), 1, 1))
seed("screendump-ppm", "pixel-limit-16384x4096",
     ppm_claimed(qemu_header(16384, 4096), 18 + 16384 * 4096 * 3))
seed("screendump-ppm", "over-pixel-limit-16384x4097",
     ppm_claimed(qemu_header(16384, 4097), 18 + 16384 * 4097 * 3))
seed("screendump-ppm", "over-16384", ppm_claimed(qemu_header(16385, 1), 15 + 16385 * 3))
seed("screendump-ppm", "side-0", ppm_claimed(qemu_header(0, 768), 100))
seed("screendump-ppm", "maxval-65535", ppm_whole(b"P6\n4 3\n65535\n", 4, 6))
seed("screendump-ppm", "maxval-then-comment", ppm_whole(b"P6\n4 3\n255#c\n", 4, 3))
seed("screendump-ppm", "six-digits", ppm_whole(b"P6\n000004 3\n255\n", 4, 3))
seed("screendump-ppm", "sign", ppm_whole(b"P6\n+4 3\n255\n", 4, 3))
seed("screendump-ppm", "p3", b"P3\n1 1\n255\n255 255 255\n")
seed("screendump-ppm", "png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
seed("screendump-ppm", "cut-in-header", b"P6\n1024 7")


# --- qmp (fuzz-qmp.c) ----------------------------------------------------
# Lines captured from QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18+b3, -S, a QMP
# UNIX socket): each ends in "\r\n".
QMP_STREAM, QMP_SIZE, QMP_DEPTH, QMP_LINE = range(4)
QEMU_7_2 = {
    "greeting": b'{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, '
                b'"package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}',
    "return-empty": b'{"return": {}, "id": 0}',
    "query-status": b'{"return": {"status": "prelaunch", "singlestep": false, '
                    b'"running": false}, "id": 1}',
    "query-version": b'{"return": {"qemu": {"micro": 22, "minor": 2, "major": 7}, '
                     b'"package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "id": 7}',
    "resume": b'{"timestamp": {"seconds": 1796144672, "microseconds": 500145}, '
              b'"event": "RESUME"}',
    "stop": b'{"timestamp": {"seconds": 1796144672, "microseconds": 801236}, '
            b'"event": "STOP"}',
    "reset": b'{"timestamp": {"seconds": 1796144673, "microseconds": 102933}, '
             b'"event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}',
    "shutdown": b'{"timestamp": {"seconds": 1796144674, "microseconds": 307077}, '
                b'"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}',
    "command-not-found": b'{"id": 5, "error": {"class": "CommandNotFound", '
                         b'"desc": "The command no-such has not been found"}}',
    "missing-parameter": b'{"id": 6, "error": {"class": "GenericError", '
                         b'"desc": "Parameter \'filename\' is missing"}}',
}


def qmp_stream(*lines, end=b"\r\n"):
    return u8(QMP_STREAM) + b"".join(line + end for line in lines)


for name, line in QEMU_7_2.items():
    seed("qmp", "qemu-7.2-" + name, u8(QMP_LINE) + line)
seed("qmp", "qemu-7.2-session",
     qmp_stream(*(QEMU_7_2[n] for n in ["greeting", "return-empty", "query-status", "resume",
                                         "stop", "reset", "command-not-found", "shutdown"])))
# The same, cut where a read could end, and two lines run together.
seed("qmp", "split-line", qmp_stream(b'{"return": {"status": "prelaunch", ',
                                     b'"running": false}, "id": 1}'))
seed("qmp", "joined-lines", u8(QMP_LINE) + QEMU_7_2["stop"] + QEMU_7_2["resume"])
seed("qmp", "lf-only", qmp_stream(QEMU_7_2["return-empty"], QEMU_7_2["stop"], end=b"\n"))
seed("qmp", "cr-inside", u8(QMP_LINE) + b'{"return": {}\r, "id": 3}\r\n')
# Sizes: fuzz_near around 64 KiB (the base, one above, one below) as a
# "return" string and as an event padded with spaces.
seed("qmp", "size-limit", u8(QMP_SIZE) + near(0) + u8(0))
seed("qmp", "size-over", u8(QMP_SIZE) + near(1) + u8(0))
seed("qmp", "size-under-spaces", u8(QMP_SIZE) + near(-1) + u8(1))
seed("qmp", "size-over-spaces", u8(QMP_SIZE) + near(1) + u8(1))
# Depth: "return" nested 63 levels (64 with the object: taken) and 64.
seed("qmp", "depth-limit", u8(QMP_DEPTH) + near(0) + u8(0x55))
seed("qmp", "depth-over", u8(QMP_DEPTH) + near(1) + u8(0x0f))
# What json-glib alone would take, and other edges of the contract.
seed("qmp", "json-glib-leniency",
     qmp_stream(b'{"return": /* c */ {}}', b"{'return': {}}", b'{"return": 0x10, "id": 01}',
                b'{"return": .5}', b'{"return": {}}{"return": {}}',
                b'{"return": {}, "id": -18446744073709551615}',
                b'{"return": {}, "id": 9223372036854775807}',
                b'{"return": {}, "id": -0}', b'{"return": {}, "id": 1.0}'))
seed("qmp", "strings",
     qmp_stream(b'{"\\u0051MP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}}, '
                b'"capabilities": []}}',
                b'{"event": "\\ud83d\\ude00", "data": 5}', b'{"event": "\\u0000"}',
                b'{"event": "\\ud800"}', b'{"event": ""}',
                b'{"event": "' + b"E" * 65 + b'"}', b'{"return": "\xc3\xa9\xff"}',
                b'{"return": "a\tb"}', b'{"error": {"class": 5}}',
                b'{"return": 1, "return": {}, "id": 2, "id": "x"}'))
seed("qmp", "not-qmp",
     qmp_stream(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", b"HTTP/1.1 400 Bad Request",
                b"", b"[1, 2]", b"null", b'{"execute": "cont"}',
                b'{"return": {}, "event": "STOP"}', b"\xef\xbb\xbf{}", b"{\"a\":\0}"))


def main():
    for target, files in sorted(seeds.items()):
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        ours = {name for name, _ in files}
        for f in os.listdir(d):
            if f.startswith("seed-") or f in ours:
                os.unlink(os.path.join(d, f))
        for name, data in files:
            with open(os.path.join(d, name), "wb") as out:
                out.write(data)
        print(f"{target}: {len(files)} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
