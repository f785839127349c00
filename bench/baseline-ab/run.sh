#!/usr/bin/env bash
# Seal-path cost of a change, measured against a baseline commit in one
# process: both versions of core are linked side by side (the baseline
# renamed to 0.0.1) and timed in alternating rounds (src/main.rs).
# Usage: bench/baseline-ab/run.sh [BASELINE_COMMIT]   (default ab2351e, before issue 12, with the
# old API; a baseline that already has `seal_binary`/`open_binary` is called with those)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
base="${1:-ab2351e}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base" "$work/cmp/src"
git -C "$root" archive "$base" Cargo.toml Cargo.lock core tests/vectors README.md examples | tar -x -C "$work/base"
python3 - "$work/base/Cargo.toml" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = re.sub(r'members = \[.*?\]', 'members = ["core"]', s)
s = re.sub(r'default-members = \[.*?\]\n', '', s)
s = s.replace('version = "0.1.0"', 'version = "0.0.1"', 1)
open(p, 'w').write(s)
PY
cp "$root/bench/baseline-ab/src/main.rs" "$work/cmp/src/"
cp "$root/Cargo.lock" "$work/cmp/"
cat > "$work/cmp/Cargo.toml" <<TOML
[package]
name = "baseline-ab"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
enseal = { path = "$root/core", default-features = false }
enseal-bench = { path = "$root/bench" }
enseal_base = { package = "enseal", version = "0.0.1", path = "$work/base/core", default-features = false }
[lints.rust]
unexpected_cfgs = { level = "warn", check-cfg = ['cfg(new_base_api)'] }
[profile.release]
lto = "thin"
codegen-units = 1
opt-level = 3
TOML
if grep -q "pub fn seal_binary" "$work/base/core/src/sealer.rs"; then
    export RUSTFLAGS="${RUSTFLAGS:-} --cfg new_base_api"
fi
cargo run --quiet --release --manifest-path "$work/cmp/Cargo.toml"
