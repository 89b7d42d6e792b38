#!/usr/bin/env python3
"""The QEMU input tests' reader of QEMU's input trace (-trace 'input_event_*')
and their pointer arithmetic over the viewer's stats file. Commands:
  events LOG START            the events from line START+1, one a line
  pointer LOG                 the guest's pointer now (the last abs x, y)
  point STATS DX DY           a screen point from the image's top-left
  expect STATS SX SY HELD     the abs values for the pointer there
  checkview STATS fit|integer the view transform from the area's size
"""
import json, math, re, sys

def events(log, start):
    """QEMU's input trace from line start+1: one event a line,
    'key QCODE down|up', 'btn NAME down|up', 'abs x|y N', 'rel x|y N'."""
    pats = [
        (r"input_event_key_qcode con -?\d+, key qcode (\S+), down (\d)", "key"),
        (r"input_event_key_number con -?\d+, key number (\S+), down (\d)", "keynumber"),
        (r"input_event_btn con -?\d+, button (\S+), down (\d)", "btn"),
        (r"input_event_abs con -?\d+, axis (\w+), value (0x[0-9a-f]+)", "abs"),
        (r"input_event_rel con -?\d+, axis (\w+), value (-?\d+)", "rel"),
    ]
    out = []
    with open(log, errors="replace") as f:
        for i, line in enumerate(f):
            if i < start:
                continue
            line = re.sub(r"^\d+@[\d.]+:", "", line.strip())
            for pat, kind in pats:
                m = re.match(pat, line)
                if not m:
                    continue
                a, b = m.group(1).rstrip(","), m.group(2)
                if kind in ("key", "keynumber", "btn"):
                    out.append(f"{kind} {a} {'down' if b == '1' else 'up'}")
                elif kind == "abs":
                    out.append(f"abs {a} {int(b, 16)}")
                else:
                    out.append(f"rel {a} {b}")
                break
    return out

def view(path):
    s = json.load(open(path))
    s["iw"] = round(s["guest_width"] * s["view_scale_x"])
    s["ih"] = round(s["guest_height"] * s["view_scale_y"])
    return s

cmd = sys.argv[1]
if cmd == "events":
    print("\n".join(events(sys.argv[2], int(sys.argv[3]))))
elif cmd == "pointer":
    # The guest's pointer now: the last abs x and y QEMU got.
    last = {"x": "-", "y": "-"}
    for e in events(sys.argv[2], 0):
        k, a, v = e.split()
        if k == "abs":
            last[a] = v
    print(last["x"], last["y"])
elif cmd == "point":
    # A screen point (device px) from DX, DY: expressions in device px
    # from the image's top-left, over iw, ih (the image's size) and ox, oy
    # (its offset in the picture area).
    s = view(sys.argv[2])
    env = {"iw": s["iw"], "ih": s["ih"], "ox": s["view_offset_x"], "oy": s["view_offset_y"],
           "W": s["width"], "H": s["height"]}
    dx, dy = (int(eval(e, {}, env)) for e in sys.argv[3:5])
    print(s["x"] + int(s["view_offset_x"]) + dx, s["y"] + int(s["view_offset_y"]) + dy)
elif cmd == "expect":
    # The abs values for the pointer at screen SX, SY (device px), with a
    # button held (1) or not (0): "X Y", or "none" (nothing to send).
    s = view(sys.argv[2])
    sx, sy, held = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
    w, h = s["guest_width"], s["guest_height"]
    px, py = sx - s["x"], sy - s["y"]
    gx = (px - s["view_offset_x"]) / s["view_scale_x"]
    gy = (py - s["view_offset_y"]) / s["view_scale_y"]
    inside = 0 <= gx < w and 0 <= gy < h
    fx, fy = min(max(math.floor(gx), 0), w - 1), min(max(math.floor(gy), 0), h - 1)
    why = (f"screen ({sx}, {sy}), picture ({px}, {py}), guest ({gx:.3f}, {gy:.3f})"
           f"{'' if inside else ' outside the image'}")
    if not inside and not held:
        print(why + " -> nothing", file=sys.stderr)
        print("none")
    else:
        ax, ay = fx * 0x7FFF // w, fy * 0x7FFF // h
        print(f"{why} -> pixel ({fx}, {fy}) -> abs ({ax}, {ay})", file=sys.stderr)
        print(ax, ay)
elif cmd == "checkview":
    # The transform itself, from the picture area's size alone: fit (the
    # largest aspect-preserving size, rounded, centred) or integer (the
    # largest whole factor, centred).
    s = view(sys.argv[2])
    mode = sys.argv[3]
    W, H, w, h = s["width"], s["height"], s["guest_width"], s["guest_height"]
    sx, sy, ox, oy = s["view_scale_x"], s["view_scale_y"], s["view_offset_x"], s["view_offset_y"]
    print(f"picture {W}x{H}, guest {w}x{h}: scale {sx:.5f} x {sy:.5f}, offset {ox}, {oy}, image {s['iw']}x{s['ih']}")
    if mode == "integer":
        k = min(W // w, H // h)
        ok = sx == k and sy == k and ox == (W - k * w) // 2 and oy == (H - k * h) // 2
    else:
        f = min(W / w, H / h)
        iw, ih = round(w * f), round(h * f)
        ok = (abs(s["iw"] - iw) <= 1 and abs(s["ih"] - ih) <= 1
              and abs(ox - (W - iw) / 2) <= 1 and abs(oy - (H - ih) / 2) <= 1
              and (s["iw"] >= W - 1 or s["ih"] >= H - 1))
    sys.exit(0 if ok else 1)
