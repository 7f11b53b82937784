#!/usr/bin/env python3
"""Independent reference for C2SP tlog-cosignature/v1 (Ed25519) and the tlog-witness
add-checkpoint bodies, as seqchain's witness speaks them.

Uses hashlib, struct, base64 and the `cryptography` package's Ed25519 (RFC 8032, deterministic),
shares no code with the TypeScript implementation, and writes test/vectors/cosignature-v1.json.
Every value follows the specs' text:
  key ID       = SHA-256(name || 0x0A || type || public key)[:4]    (type 0x01 log, 0x04 witness)
  vkey         = name + "+" + hex(key ID) + "+" + base64(type || public key)
  skey         = "PRIVATE+KEY+" + name + "+" + hex(key ID) + "+" + base64(type || seed)
  cosigned msg = "cosignature/v1\\n" + "time " + decimal(t) + "\\n" + checkpoint text
  cosig line   = "\u2014 " + name + " " + base64(key ID || u64be(t) || Ed25519 signature) + "\\n"

Run: python3 test/vectors/make_cosignature_vectors.py
"""
import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cosignature-v1.json")

EM_DASH = "\u2014"


def b64(b):
    return base64.b64encode(b).decode("ascii")


def sha256(b):
    return hashlib.sha256(b).digest()


def key(name, seed, typ):
    priv = Ed25519PrivateKey.from_private_bytes(seed)
    pub = priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kid = sha256(name.encode() + b"\n" + bytes([typ]) + pub)[:4]
    return {
        "priv": priv,
        "name": name,
        "keyId": kid,
        "vkey": "%s+%s+%s" % (name, kid.hex(), b64(bytes([typ]) + pub)),
        "skey": "PRIVATE+KEY+%s+%s+%s" % (name, kid.hex(), b64(bytes([typ]) + seed)),
    }


def checkpoint_text(origin, size, root):
    return "%s\n%d\n%s\n" % (origin, size, b64(root))


def log_sign(k, text):
    sig = k["priv"].sign(text.encode())
    return "%s %s %s\n" % (EM_DASH, k["name"], b64(k["keyId"] + sig))


def cosigned_message(t, text):
    return ("cosignature/v1\ntime %d\n" % t + text).encode()


def cosign(k, t, text):
    sig = k["priv"].sign(cosigned_message(t, text))
    return "%s %s %s\n" % (EM_DASH, k["name"], b64(k["keyId"] + struct.pack(">Q", t) + sig))


def main():
    log = key("example.com/seqchain-vectors", sha256(b"seqchain-vector log key"), 0x01)
    witness = key("witness.example/w1", sha256(b"seqchain-vector witness key"), 0x04)
    # The same name and seed as a witness key of type 0x04 and as a plain 0x01 key: distinct IDs.
    witness_as_01 = key("witness.example/w1", sha256(b"seqchain-vector witness key"), 0x01)

    cases = []
    for size, t in [(0, 1), (1, 1764806400), (1000, 1764806401), (20852163, 1679315147)]:
        root = sha256(b"") if size == 0 else sha256(b"seqchain-vector root %d" % size)
        text = checkpoint_text(log["name"], size, root)
        note = text + "\n" + log_sign(log, text)
        line = cosign(witness, t, text)
        cases.append(
            {
                "size": size,
                "timestamp": t,
                "text": text,
                "note": note,
                "cosignedMessage": cosigned_message(t, text).decode(),
                "cosignatureLine": line,
                "cosignedNote": note + line,
            }
        )

    proof = [sha256(b"seqchain-vector proof %d" % i) for i in range(3)]
    request = "old 20852014\n" + "".join(b64(h) + "\n" for h in proof) + "\n" + cases[3]["note"]

    out = {
        "comment": "written by test/vectors/make_cosignature_vectors.py; do not edit",
        "log": {"name": log["name"], "keyId": log["keyId"].hex(), "verifierKey": log["vkey"], "signerKey": log["skey"]},
        "witness": {
            "name": witness["name"],
            "keyId": witness["keyId"].hex(),
            "verifierKey": witness["vkey"],
            "signerKey": witness["skey"],
            "keyIdAsType01": witness_as_01["keyId"].hex(),
        },
        "cases": cases,
        "addCheckpoint": {
            "oldSize": 20852014,
            "proof": [b64(h) for h in proof],
            "note": cases[3]["note"],
            "body": request,
        },
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
