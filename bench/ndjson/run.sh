#!/usr/bin/env bash
# Records/s of `enseal seal`, `open` and `reseal` (release build, the real
# CLI processes) over one NDJSON file, against a pass-through process that
# reads, parses and re-serializes every line with serde_json and writes it
# (bench/examples/ndjson_passthrough.rs). Issue 13's target: each within 2x of
# the pass-through. Each command runs ROUNDS times, interleaved with the
# pass-through; the median wall time counts. Keys are plaintext JWK files in a
# temporary directory (unlocking an age file is ~1 s of scrypt, a constant that
# is not the per-record cost), deleted at the end.
# Usage: bench/ndjson/run.sh [RECORDS] [ROUNDS]   (default 200000, 5)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
records="${1:-200000}"
rounds="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet --release -p enseal-cli --manifest-path "$root/Cargo.toml"
cargo build --quiet --release -p enseal-bench --example ndjson_passthrough --manifest-path "$root/Cargo.toml"
enseal="$root/target/release/enseal"
pass="$root/target/release/examples/ndjson_passthrough"
cd "$work"
"$pass" --generate "$records" in.ndjson
"$enseal" key generate --suite x25519 --out a.jwk --insecure-plaintext-key >/dev/null
kid_b="$("$enseal" key generate --suite x25519 --out b.jwk --insecure-plaintext-key)"
"$enseal" keyset init --key a.jwk --insecure-plaintext-key --out a.keyset.json >/dev/null
cp a.keyset.json b.keyset.json
"$enseal" keyset add --keyset b.keyset.json --key b.jwk --insecure-plaintext-key >/dev/null
"$enseal" keyset promote "$kid_b" --keyset b.keyset.json >/dev/null
fields=(--field /ssn --field /dx/code --field /notes)
template='patients/{id}{pointer}'
"$enseal" seal in.ndjson --keyset a.keyset.json "${fields[@]}" --context "$template" --out sealed.ndjson --quiet

wall() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null || { echo "bench/ndjson: failed: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
declare -A times
ops=(pass seal open reseal)
run() {
  case "$1" in
    pass) "$pass" in.ndjson out.ndjson ;;
    seal) "$enseal" seal in.ndjson --keyset a.keyset.json "${fields[@]}" --context "$template" --out out.ndjson --force --quiet ;;
    open) "$enseal" open sealed.ndjson --key a.jwk --insecure-plaintext-key "${fields[@]}" --context "$template" --out out.ndjson --force --quiet ;;
    reseal) "$enseal" reseal sealed.ndjson --key a.jwk --key b.jwk --insecure-plaintext-key --keyset b.keyset.json "${fields[@]}" --context "$template" --out out.ndjson --force --quiet ;;
  esac
}
for ((r = 0; r < rounds; r++)); do
  for op in "${ops[@]}"; do t="$(wall run "$op")" || exit 1; times[$op]+="$t "; done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
bytes=$(stat -c %s in.ndjson)
echo "$records NDJSON records ($(echo "$bytes / 1048576" | bc -l | xargs printf '%.1f') MiB), 3 sealed fields each (X25519),"
echo "template $template; median wall time of $rounds interleaved runs per command, $(nproc) cores"
echo
echo "| command | s | records/s | time vs pass-through |"
echo "|---|---|---|---|"
base=$(echo "${times[pass]}" | median)
for op in "${ops[@]}"; do
  t=$(echo "${times[$op]}" | median)
  name="$op"; [ "$op" = pass ] && name="serde_json pass-through"
  printf '| %s | %.2f | %.0f | %.2fx |\n' "$name" "$t" "$(echo "$records / $t" | bc -l)" "$(echo "$t / $base" | bc -l)"
done
