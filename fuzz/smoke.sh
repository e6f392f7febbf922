#!/usr/bin/env bash
# CI's fuzz step: builds every target and runs each briefly (SCRUTIN_FUZZ_SECONDS, default 8)
# on the seed corpora. Skips, saying why, where the toolchain cannot build libFuzzer targets;
# SCRUTIN_FUZZ=0 skips it on purpose. Fails on a target that does not build or that crashes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=${SCRUTIN_FUZZ_SECONDS:-8}
skip() { echo "fuzz: skipped: $*"; exit 0; }
[ "${SCRUTIN_FUZZ:-1}" != 0 ] || skip "SCRUTIN_FUZZ=0"
case "$(rustc -vV | sed -n 's/^host: //p')" in
  x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu) ;;
  *) skip "libFuzzer targets are built here only on x86_64/aarch64 Linux" ;;
esac
command -v c++ > /dev/null || skip "no C++ compiler to build libFuzzer"
(cd "$here" && cargo fetch --locked -q) || skip "the fuzz workspace's crates cannot be fetched"
start=$(date +%s)
"$here/build.sh" -q > /dev/null
built=$(date +%s)
echo "fuzz: built every target in $((built - start)) s"
"$here/seeds.sh" > /dev/null
"$here/campaign.sh" -t "$secs"
echo "fuzz: done in $(($(date +%s) - start)) s"
