#!/usr/bin/env python3
"""Independent reference implementation of seqchain's log view (RFC 9162 tree over SCT1 entries,
C2SP tlog-tiles layout, tlog-checkpoint text).

Uses only hashlib, struct and base64, shares no code with the TypeScript implementation, and
writes test/vectors/tlog-v1.json. It follows the RFC's recursive definitions literally (MTH, PATH,
PROOF/SUBPROOF) rather than any incremental algorithm, so the TypeScript border, tile store and
bit-walking verifiers are checked against the definitions. If this output changes, the format
changed.

Leaves: record seq g (leaf index g - 1) has digest d_g = SHA-256("seqchain-vector" || u64(g)) and
entry e_g = "SCT1" || u64(g) || d_g. JSON: bytes as lowercase hex, except checkpoint text.

Run: python3 test/vectors/make_tlog_vectors.py
"""
import base64
import functools
import hashlib
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tlog-v1.json")

MAX_LEAVES = 70000  # the tlog-tiles spec's example tree size
ORIGIN = "example.com/seqchain-vectors"


def u64(n):
    return struct.pack(">Q", n)


def sha(b):
    return hashlib.sha256(b).digest()


def digest(g):
    return sha(b"seqchain-vector" + u64(g))


def entry(g):
    return b"SCT1" + u64(g) + digest(g)


LEAVES = [sha(b"\x00" + entry(i + 1)) for i in range(MAX_LEAVES)]


def largest_pow2_below(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@functools.lru_cache(maxsize=None)
def mth(lo, hi):
    """RFC 9162 2.1.1 MTH(D[lo:hi])."""
    n = hi - lo
    if n == 0:
        return sha(b"")
    if n == 1:
        return LEAVES[lo]
    k = largest_pow2_below(n)
    return sha(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi))


def path(m, lo, hi):
    """RFC 9162 2.1.3.1 PATH(m, D[lo:hi]), m relative to lo."""
    n = hi - lo
    if n == 1:
        return []
    k = largest_pow2_below(n)
    if m < k:
        return path(m, lo, lo + k) + [mth(lo + k, hi)]
    return path(m - k, lo + k, hi) + [mth(lo, lo + k)]


def subproof(m, lo, hi, b):
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[lo:hi], b)."""
    n = hi - lo
    if m == n:
        return [] if b else [mth(lo, hi)]
    k = largest_pow2_below(n)
    if m <= k:
        return subproof(m, lo, lo + k, b) + [mth(lo + k, hi)]
    return subproof(m - k, lo + k, hi, False) + [mth(lo, lo + k)]


def proof(m, n):
    return subproof(m, 0, n, True)


def tile_index_path(n):
    s = "%03d" % (n % 1000)
    n //= 1000
    while n > 0:
        s = "x%03d/%s" % (n % 1000, s)
        n //= 1000
    return s


def tiles(size):
    """Every tile of a tree of `size` per c2sp.org/tlog-tiles: the n-th tile at level l holds
    MTH(D[(n*256+i)*256**l : (n*256+i+1)*256**l]) for i < width; entry bundles hold uint16-prefixed
    entries. Returns [(path, tile bytes)], hash tiles level by level, then the entry bundles."""
    out = []
    level = 0
    while size // 256 ** level > 0:
        count = size // 256 ** level
        span = 256 ** level
        for n in range((count + 255) // 256):
            width = min(256, count - n * 256)
            data = b"".join(mth((n * 256 + i) * span, (n * 256 + i + 1) * span) for i in range(width))
            p = "tile/%d/%s" % (level, tile_index_path(n)) + ("" if width == 256 else ".p/%d" % width)
            out.append((p, data))
        level += 1
    for n in range((size + 255) // 256):
        width = min(256, size - n * 256)
        data = b"".join(struct.pack(">H", 44) + entry(n * 256 + i + 1) for i in range(width))
        p = "tile/entries/%s" % tile_index_path(n) + ("" if width == 256 else ".p/%d" % width)
        out.append((p, data))
    return out


def checkpoint_text(size):
    return "%s\n%d\n%s\n" % (ORIGIN, size, base64.b64encode(mth(0, size)).decode("ascii"))


ROOT_SIZES = list(range(0, 301)) + [383, 384, 385, 511, 512, 513, 767, 768, 769, 1000, 1023, 1024, 1025, 65535, 65536, 65537, 70000]
PROOF_SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000]
INCLUSION_SIZES = PROOF_SIZES + [65536, 70000]
TILE_SIZES = [1, 255, 256, 257, 1000, 65536, 70000]
CONSISTENCY_FROM = [1, 2, 3, 7, 8, 9, 255, 256, 257, 512, 513, 1000]


def tile_case(n):
    """Paths of every tile of size n, the SHA-256 of each partial tile, and one SHA-256 over all the tile bytes
    in path order (full tiles are many: one digest keeps the fixture small and still pins every byte)."""
    ts = tiles(n)
    return {"size": n, "paths": [p for p, _ in ts],
            "partial": {p: sha(d).hex() for p, d in ts if ".p/" in p},
            "allSha256": sha(b"".join(d for _, d in ts)).hex()}


def dump(doc, f):
    """Top-level keys one per line; each list item on one line (readable diffs, small file)."""
    f.write("{\n")
    keys = list(doc)
    for i, k in enumerate(keys):
        v = doc[k]
        f.write(" %s: " % json.dumps(k))
        if isinstance(v, list):
            f.write("[\n" + ",\n".join("  " + json.dumps(x, ensure_ascii=False) for x in v) + "\n ]")
        else:
            f.write(json.dumps(v, ensure_ascii=False))
        f.write(",\n" if i < len(keys) - 1 else "\n")
    f.write("}\n")


def main():
    roots = [{"size": n, "root": mth(0, n).hex()} for n in ROOT_SIZES]
    inclusion = []
    for n in INCLUSION_SIZES:
        for m in sorted({0, 1, n // 3, n // 2, n - 2, n - 1, 127, 128, 254, 255, 256, 257, 65535, 69999}):
            if 0 <= m < n:
                inclusion.append({"index": m, "size": n, "leaf": LEAVES[m].hex(), "proof": [h.hex() for h in path(m, 0, n)]})
    consistency = []
    for n in PROOF_SIZES + [70000]:
        for m in CONSISTENCY_FROM:
            if 1 <= m <= n:
                consistency.append({"from": m, "to": n, "proof": [h.hex() for h in proof(m, n)]})
    doc = {
        "description": "seqchain log view vectors (RFC 9162 tree over SCT1 entries, tlog-tiles, tlog-checkpoint); "
                       "generated by test/vectors/make_tlog_vectors.py, do not edit by hand",
        "version": 1,
        "leaves": "record seq g: digest = SHA-256('seqchain-vector' || u64(g)); entry = 'SCT1' || u64(g) || digest; "
                  "leaf = SHA-256(0x00 || entry); leaf index = g - 1",
        "entries": [{"seq": g, "digest": digest(g).hex(), "entry": entry(g).hex(), "leaf": LEAVES[g - 1].hex()}
                    for g in (1, 2, 3, 256, 70000)],
        "roots": roots,
        "inclusion": inclusion,
        "consistency": consistency,
        "tiles": [tile_case(n) for n in TILE_SIZES],
        "checkpoints": [{"origin": ORIGIN, "size": n, "text": checkpoint_text(n)} for n in (0, 1, 256, 70000)],
    }
    with open(OUT, "w", encoding="utf-8") as f:
        dump(doc, f)
    print(f"wrote {OUT}: {len(roots)} roots, {len(inclusion)} inclusion proofs, {len(consistency)} consistency proofs, "
          f"{sum(len(t['paths']) for t in doc['tiles'])} tiles")


if __name__ == "__main__":
    main()
