#!/usr/bin/env python3
"""Independent reference implementation of the seqchain hash formats (SCR1, SCG1, SCL1).

Uses only hashlib and struct, shares no code with the TypeScript implementation, and writes
test/vectors/chain-v1.json. The formats never change once released: if this output changes,
the format changed.

JSON conventions: bytes are lowercase hex; null is null; a large byte string is described by a
generator {"repeatHex": "<hex pattern>", "bytes": <length>} (the pattern repeated, truncated to
length); 64-bit integers are decimal strings (JSON numbers cannot hold them exactly).

Run: python3 test/vectors/make_vectors.py
"""
import hashlib
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "chain-v1.json")


def u32(n):
    return struct.pack(">I", n)


def i32(n):
    return struct.pack(">i", n)


def u64(n):
    return struct.pack(">Q", n)


def i64(n):
    return struct.pack(">q", n)


def nullable(b):
    return i32(-1) if b is None else i32(len(b)) + b


def materialize(spec):
    """Bytes described in the JSON: None, a hex string, or a repeat generator."""
    if spec is None:
        return None
    if isinstance(spec, str):
        return bytes.fromhex(spec)
    pattern = bytes.fromhex(spec["repeatHex"])
    n = spec["bytes"]
    return (pattern * (n // len(pattern) + 1))[:n]


def record_digest(topic, partition, offset, ts, key, value, headers):
    t = topic.encode("utf-8")
    # sorted() is stable: duplicate names keep their wire order. bytes compare bytewise.
    hs = sorted(headers, key=lambda h: h[0])
    m = b"SCR1" + u32(len(t)) + t + u32(partition) + u64(offset) + i64(ts)
    m += nullable(key) + nullable(value) + u32(len(hs))
    for name, val in hs:
        m += u32(len(name)) + name + nullable(val)
    return hashlib.sha256(m).digest()


def genesis_hash(chain_id, topic, start, created_at_ms, nonce):
    assert len(nonce) == 16 and len(start) >= 1
    c = chain_id.encode("utf-8")
    t = topic.encode("utf-8")
    m = b"SCG1" + u32(len(c)) + c + u32(len(t)) + t + u32(len(start))
    for s in start:
        m += u64(s)
    m += u64(created_at_ms) + nonce
    return hashlib.sha256(m).digest()


def link_hash(prev, seq, digest):
    assert len(prev) == 32 and len(digest) == 32 and seq >= 1
    return hashlib.sha256(b"SCL1" + prev + u64(seq) + digest).digest()


def h(s):
    return s.encode("utf-8").hex()


def hdr(name, value):
    """name/value as text (UTF-8) for readability; value None means a null header value."""
    return {"name": h(name), "value": None if value is None else h(value)}


TS = 1700000000000

RECORDS = [
    dict(name="basic-partition-0-zero-headers", topic="orders", partition=0, offset=0, timestampMs=TS,
         key=h("k1"), value=h("v1"), headers=[]),
    dict(name="null-key", topic="orders", partition=1, offset=1, timestampMs=TS,
         key=None, value=h("value"), headers=[]),
    dict(name="null-value-tombstone", topic="orders", partition=1, offset=2, timestampMs=TS,
         key=h("key"), value=None, headers=[]),
    dict(name="empty-value", topic="orders", partition=2, offset=3, timestampMs=TS,
         key=h("key"), value="", headers=[]),
    dict(name="empty-key", topic="orders", partition=2, offset=4, timestampMs=TS,
         key="", value=h("value"), headers=[]),
    dict(name="null-key-and-null-value", topic="orders", partition=3, offset=5, timestampMs=TS,
         key=None, value=None, headers=[]),
    dict(name="duplicate-header-names-keep-wire-order", topic="orders", partition=0, offset=6, timestampMs=TS,
         key=h("k"), value=h("v"),
         headers=[hdr("b", "1"), hdr("a", "x"), hdr("b", "2"), hdr("c", "z"), hdr("b", "3"), hdr("a", "y")]),
    dict(name="header-null-value-vs-empty-value", topic="orders", partition=0, offset=7, timestampMs=TS,
         key=h("k"), value=h("v"), headers=[hdr("trace", None), hdr("empty", "")]),
    dict(name="non-ascii-topic", topic="пример.topic-ü", partition=0, offset=8, timestampMs=TS,
         key=h("ключ"), value=h("значение"), headers=[]),
    # Bytewise UTF-8 order differs from UTF-16 code-unit order (JS string compare) for U+FF21 vs
    # U+1F600, and from case-insensitive order for "Z" vs "a"; "a" sorts before its extension "ab".
    dict(name="non-ascii-header-names-sorted-bytewise", topic="orders", partition=4, offset=9, timestampMs=TS,
         key=h("k"), value=h("v"),
         headers=[hdr("😀", "grin"), hdr("Ａ", "fullwidth-a"), hdr("é", "e-acute"), hdr("ab", "2"),
                  hdr("Z", "upper-z"), hdr("a", "1"), hdr("日本", "nihon"), hdr("ü", "u-umlaut")]),
    dict(name="value-1-MiB", topic="orders", partition=5, offset=10, timestampMs=TS,
         key=h("big"), value={"repeatHex": "6162", "bytes": 1048576}, headers=[]),
    dict(name="offset-at-least-2^32", topic="orders", partition=0, offset=(1 << 32) + 5, timestampMs=TS,
         key=h("k"), value=h("v"), headers=[]),
    dict(name="offset-max-int64", topic="orders", partition=0, offset=(1 << 63) - 1, timestampMs=TS,
         key=h("k"), value=h("v"), headers=[]),
    dict(name="negative-timestamp", topic="orders", partition=0, offset=11, timestampMs=-1,
         key=h("k"), value=h("v"), headers=[]),
    dict(name="timestamp-year-1", topic="orders", partition=0, offset=12, timestampMs=-62135596800000,
         key=h("k"), value=h("v"), headers=[hdr("x", "1")]),
    dict(name="large-partition-number", topic="orders", partition=2147483647, offset=13, timestampMs=TS,
         key=h("k"), value=h("v"), headers=[]),
    dict(name="binary-key-all-byte-values", topic="orders", partition=0, offset=14, timestampMs=0,
         key=bytes(range(256)).hex(), value=bytes(range(255, -1, -1)).hex(),
         headers=[{"name": "00ff", "value": "ff00"}, {"name": "00", "value": None}]),
]

GENESIS = [
    dict(name="one-partition", chainId="orders-chain", topic="orders", start=[0], createdAtMs=TS,
         nonce="000102030405060708090a0b0c0d0e0f"),
    dict(name="six-partitions-varying-starts", chainId="payments", topic="payments.v2",
         start=[0, 5, 100, (1 << 32) + 1, 7, (1 << 63) - 1], createdAtMs=1712345678901,
         nonce="ffeeddccbbaa99887766554433221100"),
    dict(name="non-ascii-chain-id", chainId="цепь-ü-链", topic="пример.topic-ü", start=[3, 0], createdAtMs=0,
         nonce="a5" * 16),
]


def record_case(c):
    headers = [(bytes.fromhex(x["name"]), materialize(x["value"])) for x in c["headers"]]
    d = record_digest(c["topic"], c["partition"], c["offset"], c["timestampMs"],
                      materialize(c["key"]), materialize(c["value"]), headers)
    out = dict(c)
    out["offset"] = str(c["offset"])
    out["timestampMs"] = str(c["timestampMs"])
    out["digest"] = d.hex()
    return out, d


def genesis_case(c):
    g = genesis_hash(c["chainId"], c["topic"], c["start"], c["createdAtMs"], bytes.fromhex(c["nonce"]))
    out = dict(c)
    out["start"] = [str(s) for s in c["start"]]
    out["createdAtMs"] = str(c["createdAtMs"])
    out["hash"] = g.hex()
    return out, g


def main():
    records, digests = zip(*(record_case(c) for c in RECORDS))
    genesis, hashes = zip(*(genesis_case(c) for c in GENESIS))

    # A 10-link chain from the six-partition genesis over the digests of records 0..9.
    chain_genesis = 1
    prev = hashes[chain_genesis]
    links = []
    for i in range(10):
        seq = i + 1
        prev = link_hash(prev, seq, digests[i])
        links.append({"seq": str(seq), "record": RECORDS[i]["name"], "digest": digests[i].hex(),
                      "hash": prev.hex()})

    doc = {
        "description": "seqchain hash format vectors (SCR1 record digest, SCG1 genesis, SCL1 link); "
                       "generated by test/vectors/make_vectors.py, do not edit by hand",
        "version": 1,
        "conventions": {
            "bytes": "lowercase hex; null means absent (encoded with length -1)",
            "generator": "{repeatHex, bytes}: the hex pattern repeated, truncated to `bytes` bytes",
            "int64": "decimal string",
        },
        "records": list(records),
        "genesis": list(genesis),
        "chain": {
            "genesis": GENESIS[chain_genesis]["name"],
            "genesisHash": hashes[chain_genesis].hex(),
            "links": links,
        },
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(records)} records, {len(genesis)} genesis, {len(links)} links")


if __name__ == "__main__":
    main()
