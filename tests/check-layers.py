#!/usr/bin/env python3
"""The layers of src/ point one way: a file includes headers of its own
layer or of layers below it, never above, and no header includes itself
through others. TAP on stdout.

Layers, bottom to top: common, vgpu, sim, qemu, display, render, ui, cmd, and
main.c on top."""
import os
import re
import sys

LAYERS = ["common", "vgpu", "sim", "qemu", "display", "render", "ui", "cmd"]
src = sys.argv[1]
include_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    top = rel.split("/")[0]
    return LAYERS.index(top) if top in LAYERS else len(LAYERS)


def resolve(rel_file, inc):
    """The include as a path under src/, or None (generated headers)."""
    for base in (os.path.dirname(rel_file), ""):
        cand = os.path.normpath(os.path.join(base, inc))
        if os.path.exists(os.path.join(src, cand)):
            return cand
    return None


files = []
for root, _, names in os.walk(src):
    for name in names:
        if name.endswith((".c", ".h")):
            files.append(os.path.relpath(os.path.join(root, name), src))
files.sort()

graph = {}
problems = []
for rel in files:
    with open(os.path.join(src, rel), encoding="utf-8") as f:
        text = f.read()
    deps = []
    for inc in include_re.findall(text):
        target = resolve(rel, inc)
        if target is None:
            continue
        deps.append(target)
        if layer_of(target) > layer_of(rel):
            problems.append(f"{rel} includes {target}: {target.split('/')[0]}/ is above "
                            f"{rel.split('/')[0] if '/' in rel else 'main'}")
    graph[rel] = deps

cycles = []
state = {}


def visit(node, stack):
    state[node] = "open"
    stack.append(node)
    for dep in graph.get(node, []):
        if state.get(dep) == "open":
            cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
        elif dep not in state:
            visit(dep, stack)
    stack.pop()
    state[node] = "done"


for rel in files:
    if rel not in state:
        visit(rel, [])

print("1..3")
print(f"ok 1 - {len(files)} source files scanned" if len(files) > 20
      else f"not ok 1 - only {len(files)} files under {src}")
if problems:
    print("not ok 2 - every include points to the same layer or one below")
    for p in problems:
        print(f"# {p}")
else:
    print("ok 2 - every include points to the same layer or one below")
if cycles:
    print("not ok 3 - no include cycles")
    for c in cycles:
        print(f"# {c}")
else:
    print("ok 3 - no include cycles")
sys.exit(1 if problems or cycles else 0)
