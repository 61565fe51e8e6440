"""Checks an artifact's memory-plan.svg against its report: `check_memory_plan.py DIR`.

Every buffer lies inside the arena, the highest byte is the arena's size, and
no two buffers alive at the same op share a byte, except an in-place pair (one
dies at the op that first writes the other, at the same offset and size).
"""
import re
import sys
import xml.etree.ElementTree as ET

art = sys.argv[1]
report = open(f"{art}/report.txt").read()
arena = int(re.search(r"arena \(peak\)\s+(\d+) bytes", report).group(1))
ns = {"svg": "http://www.w3.org/2000/svg"}
buffers = []
for title in ET.parse(f"{art}/memory-plan.svg").getroot().iterfind(".//svg:rect/svg:title", ns):
    m = re.fullmatch(r"(.*): (\d+) B at offset (\d+), ops (\d+)-(\d+)", title.text)
    assert m, title.text
    buffers.append((m.group(1), *map(int, m.groups()[1:])))
assert buffers, "no buffers in the picture"
assert max(off + size for _, size, off, _, _ in buffers) == arena, "the highest byte is not the arena's size"
for i, (na, sa, oa, fa, la) in enumerate(buffers):
    assert oa >= 0 and oa + sa <= arena, f"{na} outside the arena"
    for nb, sb, ob, fb, lb in buffers[i + 1:]:
        live_together = fa <= lb and fb <= la
        share_bytes = oa < ob + sb and ob < oa + sa
        in_place = (la == fb or lb == fa) and oa == ob and sa == sb
        assert not (live_together and share_bytes and not in_place), f"{na} and {nb} overlap"
print(f"memory plan: {len(buffers)} buffers, arena {arena} B, no overlaps")
