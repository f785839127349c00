#!/usr/bin/env python3
"""Writes the fuzz seed inputs (fuzz/seeds/<target>/) from tests/vectors/enseal-v1.json.

Run from anywhere: python3 fuzz/seeds/generate.py. Deterministic; the 64 KiB
vectors are left out to keep the seeds small.
"""
import json
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = json.loads((HERE.parent.parent / "tests/vectors/enseal-v1.json").read_text())
SUITES = VECTORS["suites"]  # X25519, P-256, X-Wing: Suite::ALL order
CREATED, NOT_AFTER = 1764288000, 1795824000


def write(target, name, data):
    path = HERE / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def small(cases):
    return [c for c in cases if not c["name"].startswith("64KiB")]


for target in ["open_cached", "open_decap", "parse_text", "parse_json", "jwk", "keyset", "keyring"]:
    shutil.rmtree(HERE / target, ignore_errors=True)

# open_cached: selector || rest (fuzz_targets/open_cached.rs). Contexts are
# numbered in order of first appearance among the positive cases.
contexts = []
for s in SUITES:
    for p in s["positive"]:
        if p["context_hex"] not in contexts:
            contexts.append(p["context_hex"])
contexts += ["", "637478"]  # "" and "ctx", as the target adds them
for i, s in enumerate(SUITES):
    prefix_len = 11 + len(s["enc_hex"]) // 2
    tag = s["suite"].lower().replace("-", "")
    for p in small(s["positive"]):
        sealed = bytes.fromhex(p["sealed_hex"])
        sel = i | contexts.index(p["context_hex"]) << 2
        write("open_cached", f"{tag}-{p['name']}-body", bytes([sel]) + sealed[prefix_len:])
        write("open_cached", f"{tag}-{p['name']}-raw", bytes([0x80 | sel]) + sealed)
for n, neg in enumerate(VECTORS["negative"]):
    if "sealed_hex" not in neg or len(neg["sealed_hex"]) > 2 * 2400:
        continue
    ctx = neg["context_hex"] if neg["context_hex"] in contexts else ""
    sel = 0x80 | contexts.index(ctx) << 2
    write("open_cached", f"negative-{n:03}", bytes([sel]) + bytes.fromhex(neg["sealed_hex"]))

# open_decap: selector || enc.
for i, s in enumerate(SUITES):
    tag = s["suite"].lower().replace("-", "")
    enc = bytes.fromhex(s["enc_hex"])
    write("open_decap", f"{tag}-real-enc", bytes([i]) + enc)
    write("open_decap", f"{tag}-zero-enc", bytes([i]) + bytes(len(enc)))
    write("open_decap", f"{tag}-short", bytes([i]) + enc[: len(enc) // 2])
# X25519 low-order points (RFC 7748 §6.1 / Wycheproof): u = 1, an order-8 point, and p - 1.
for name, u in [
    ("u1", "01" + "00" * 31),
    ("order8", "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    ("p-1", "ec" + "ff" * 30 + "7f"),
]:
    write("open_decap", f"x25519-{name}", bytes([0]) + bytes.fromhex(u))
p256_enc = bytes.fromhex(SUITES[1]["enc_hex"])
write("open_decap", "p256-compressed", bytes([1, 2]) + p256_enc[1:33])
write("open_decap", "p256-off-curve", bytes([1]) + p256_enc[:-1] + bytes([p256_enc[-1] ^ 1]))

# parse_text: text forms, good and bad.
for s in SUITES:
    tag = s["suite"].lower().replace("-", "")
    for p in small(s["positive"]):
        write("parse_text", f"{tag}-{p['name']}", p["sealed_text"])
for n, neg in enumerate(VECTORS["negative"]):
    if "sealed_text" in neg:
        write("parse_text", f"negative-{n:03}", neg["sealed_text"])
write("parse_text", "prefix-only", "enseal1.")


# Keys as JSON (docs/FORMAT.md §6).
def entry(s, not_after=True):
    jwk = dict(s["public_jwk"], suite=s["suite"], created=CREATED)
    if not_after:
        jwk["not_after"] = NOT_AFTER
    return jwk


jsons = {}
for s in SUITES:
    tag = s["suite"].lower().replace("-", "")
    public, private = s["public_jwk"], s["private_jwk"]
    bare = {k: v for k, v in private.items() if k not in ("x", "y", "pub", "kid", "use")}
    jsons[f"jwk/{tag}-public"] = json.dumps(public)
    jsons[f"jwk/{tag}-private"] = json.dumps(private, indent=2)
    jsons[f"jwk/{tag}-private-bare"] = json.dumps(bare)
    jsons[f"keyset/{tag}"] = json.dumps({"primary": s["kid"], "keys": [entry(s)]}, indent=2)
    jsons[f"keyring/{tag}"] = json.dumps({"keys": [private]})
jsons["keyset/all"] = json.dumps(
    {"primary": SUITES[0]["kid"], "keys": [entry(s, s is not SUITES[0]) for s in SUITES]}, indent=2
)
jsons["keyring/all"] = json.dumps({"keys": [s["private_jwk"] for s in SUITES]}, indent=2)
jsons["keyring/empty"] = '{"keys": []}'
for name, text in list(jsons.items()):
    target, leaf = name.split("/")
    write(target, leaf, text)
    if not leaf.startswith("xwing"):
        write("parse_json", f"{target}-{leaf}", text)
write("parse_json", "document", json.dumps({"a": "123-45-6789", "b": [[1.5e3, None], [True, {"c": "d"}]]}))
