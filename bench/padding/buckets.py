"""Which JSON padding bucket for seal_json (docs/FORMAT.md §7): for field kinds
common in health-care and payment records, does the bucket give every value of
the kind the same sealed length, and what does it cost in text characters?

Values are generated (no real data): each kind spans its realistic lengths.
Run: python3 bench/padding/buckets.py
"""
import json
import math
import random

random.seed(8812)


def digits(n):
    return "".join(random.choice("0123456789") for _ in range(n))


KINDS = {
    "boolean": lambda: random.choice([True, False]),
    "null or boolean": lambda: random.choice([None, True, False]),
    "small enum (sex, status)": lambda: random.choice(["F", "M", "X", "U", "active", "inactive"]),
    "count 0-99999": lambda: random.randint(0, 99999),
    "ICD-10 code": lambda: random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + digits(2)
    + random.choice(["", "." + digits(random.randint(1, 4))]),
    "US SSN": lambda: f"{digits(3)}-{digits(2)}-{digits(4)}",
    "date (ISO 8601)": lambda: f"{random.randint(1900, 2026)}-{random.randint(1, 12):02}-{random.randint(1, 28):02}",
    "US ZIP / ZIP+4": lambda: random.choice([digits(5), f"{digits(5)}-{digits(4)}"]),
    "phone (E.164)": lambda: "+" + digits(random.randint(10, 13)),
    "card number (PAN)": lambda: digits(random.choice([15, 16, 16, 16, 19])),
    "given name": lambda: "x" * max(2, int(random.gauss(6, 2))),
    "email": lambda: "x" * max(6, int(random.gauss(24, 6))),
}


def text_len(json_bytes):
    """Characters of the X25519 text form for a plaintext of this many bytes."""
    return 8 + math.ceil(4 * (67 + json_bytes) / 3)


def padded(n, bucket):
    return n if bucket <= 1 else -(-n // bucket) * bucket


print("| kind | JSON bytes | " + " | ".join(f"one length at {b}?" for b in (8, 16, 32, 64)) + " |")
print("|---|---|---|---|---|---|")
cost = {b: [] for b in (1, 8, 16, 32, 64)}
for kind, make in KINDS.items():
    lengths = [len(json.dumps(make(), separators=(",", ":")).encode()) for _ in range(2000)]
    hidden = []
    for bucket in cost:
        sizes = {text_len(padded(n, bucket)) for n in lengths}
        cost[bucket].append(sum(text_len(padded(n, bucket)) for n in lengths) / len(lengths))
        if bucket in (8, 16, 32, 64):
            hidden.append("yes" if len(sizes) == 1 else f"no ({len(sizes)})")
    print(f"| {kind} | {min(lengths)}-{max(lengths)} | " + " | ".join(hidden) + " |")
print()
print("| bucket | mean sealed text (chars) over the kinds | vs no padding |")
print("|---|---|---|")
base = sum(cost[1]) / len(cost[1])
for bucket, means in cost.items():
    mean = sum(means) / len(means)
    print(f"| {bucket if bucket > 1 else 'none'} | {mean:.1f} | +{100 * (mean / base - 1):.1f}% |")
