#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer's coverage instrumentation on a stable toolchain:
# the flags `cargo fuzz build -O --sanitizer none` passes, without needing cargo-fuzz itself
# (binaries land where cargo-fuzz puts them, so `cargo fuzz run` reuses this build).
# Usage: fuzz/build.sh [cargo build args...]
set -euo pipefail
cd "$(dirname "$0")"
host=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing \
-Cllvm-args=-simplifycfg-branch-fold-threshold=0 -Cllvm-args=-sanitizer-coverage-stack-depth \
-Cdebug-assertions -Ccodegen-units=16"
export RUSTC_BOOTSTRAP=1
cargo build --locked --release --target "$host" --bins "$@"
echo "$PWD/target/$host/release"
