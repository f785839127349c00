#!/usr/bin/env bash
# Builds EnsealFFI.xcframework and the Swift sources for the Swift package in
# this folder. Run on macOS with Xcode and rustup. Untested on the project's
# Linux CI, which has no Swift toolchain (it only generates the sources and
# checks that the C header parses).
set -euo pipefail
cd "$(dirname "$0")/../../.."
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do cargo build --release -p enseal-uniffi --target "$t"; done

out=bindings/uniffi/swift
gen=target/swift-gen
cargo run -q -p uniffi-bindgen -- generate --library "target/aarch64-apple-darwin/release/libenseal_uniffi.dylib" \
  --language swift --out-dir "$gen" --no-format --config bindings/uniffi/uniffi.toml
cp "$gen/Enseal.swift" "$out/Sources/Enseal/Enseal.swift"
mkdir -p "$gen/headers"
cp "$gen/EnsealFFI.h" "$gen/headers/"
cp "$gen/EnsealFFI.modulemap" "$gen/headers/module.modulemap"

mkdir -p target/universal/ios-sim target/universal/macos
lipo -create target/aarch64-apple-ios-sim/release/libenseal_uniffi.a target/x86_64-apple-ios/release/libenseal_uniffi.a \
  -output target/universal/ios-sim/libenseal_uniffi.a
lipo -create target/aarch64-apple-darwin/release/libenseal_uniffi.a target/x86_64-apple-darwin/release/libenseal_uniffi.a \
  -output target/universal/macos/libenseal_uniffi.a

rm -rf "$out/EnsealFFI.xcframework"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libenseal_uniffi.a -headers "$gen/headers" \
  -library target/universal/ios-sim/libenseal_uniffi.a -headers "$gen/headers" \
  -library target/universal/macos/libenseal_uniffi.a -headers "$gen/headers" \
  -output "$out/EnsealFFI.xcframework"
echo "built $out/EnsealFFI.xcframework; now: swift build --package-path $out"
