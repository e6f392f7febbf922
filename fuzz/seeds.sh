#!/usr/bin/env bash
# Builds the seed corpora (fuzz/corpus/<target>/, not committed) from the repository's test
# vectors and fixtures, plus a bundle, checkpoint and receipt made now with the `scrutin` CLI
# and the test vectors' public-seed keys (the keys the targets trust).
# Usage: fuzz/seeds.sh [SCRUTIN_BINARY]   (default: the main workspace's target/debug/scrutin,
# built if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"
bin=${1:-$root/target/debug/scrutin}
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --locked -q -p scrutin-cli)
fi
for t in bundle_verify bundle_signed receipt_verify decode notes_keys imports event_sequence verify_state; do
  mkdir -p "$corpus/$t"
done
seed() { # seed TARGET NAME < bytes
  cat > "$corpus/$1/seed-$2"
}

# Vectors and fixtures.
v="$root/tests/vectors"
seed bundle_verify v1-bundle < "$v/v1/bundle.bin"
seed bundle_verify audit-v1 < "$root/tests/fixtures/audit-v1/meeting.bundle"
for f in "$v"/v1/entry-*.bin; do seed decode "$(basename "$f" .bin)" < "$f"; done
for f in "$v"/events-v1/*.hex; do
  python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read().split()[0]))' "$f" \
    | seed decode "event-$(basename "$f" .hex)"
done
seed notes_keys checkpoint < "$v/v1/checkpoint.note"
awk '{print $2}' "$v/v1/keys.txt" | grep -v '^[0-9a-f]*$' | grep . | while read -r k; do
  printf '%s\n' "$k" | seed notes_keys "key-$(printf '%s' "$k" | cksum | cut -d' ' -f1)"
done
for f in "$root"/tests/fixtures/audit-v1/*.vkey; do seed notes_keys "$(basename "$f")" < "$f"; done
# imports: the first byte selects the kind (0 register, 1 abstentions, 2 proxies, 3 ballots,
# 4 meeting.toml).
n=0
for dir in "$root/tests/fixtures/audit-v1/source" "$root/crates/cli/fixtures/jlmag"; do
  n=$((n + 1))
  i=0
  for kind in register abstentions proxies ballots; do
    [ -f "$dir/$kind.csv" ] && { printf "\\x0$i"; cat "$dir/$kind.csv"; } | seed imports "$n-$kind"
    i=$((i + 1))
  done
  { printf '\x04'; cat "$dir/meeting.toml"; } | seed imports "$n-meeting"
done
# event_sequence and bundle_signed: byte-driven generators; a few plain and patterned inputs.
rnd() { # rnd SEED LENGTH: deterministic pseudo-random bytes
  python3 -c 'import sys,random; r=random.Random(int(sys.argv[1])); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(int(sys.argv[2]))))' "$1" "$2"
}
for s in 0 1 2 3; do
  rnd "$s" 600 | tee >(seed bundle_signed "random-$s") | seed event_sequence "random-$s"
done
# verify_state: the first byte picks the mode (0 state file, 1 length-prefixed snapshot then
# generator bytes, 2 generated meeting snapshotted and edited, 3 vector meeting prefix
# snapshotted and edited); modes 2 and 3 make their own snapshots from generator bytes.
for s in 0 1 2 3; do
  { printf '\x02'; rnd "$s" 600; } | seed verify_state "generated-$s"
  { printf '\x03'; printf "\\x0$s\\x$((s * 4 + 20))"; rnd "$s" 200; } | seed verify_state "vector-$s"
done
state_seed() { # state_seed NAME STATE_FILE: the state (mode 0) and its snapshot (mode 1)
  { printf '\x00'; cat "$2"; } | seed verify_state "state-$1"
  python3 - "$2" <<'PY' | seed verify_state "snapshot-$1"
import random, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('>I', b[10:14])[0]
snap = b[14 + n:]
r = random.Random(len(snap))
sys.stdout.buffer.write(b'\x01' + struct.pack('<I', len(snap)) + snap + bytes(r.randrange(256) for _ in range(300)))
PY
}

# A meeting run now through the CLI with the vector keys: bundle, cosigned checkpoint, receipt.
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
for role in registrar scrutineer; do
  sed -n "s/^$role.private //p" "$v/v1/keys.txt" > "$w/$role.key"
  chmod 600 "$w/$role.key"
  sed -n "s/^$role.vkey //p" "$v/v1/keys.txt" > "$w/$role.vkey"
done
src="$root/tests/fixtures/audit-v1/source"
sed 's/^proxy_deadline = .*/proxy_deadline = "2099-01-01T00:00:00Z"/' "$src/meeting.toml" > "$w/meeting.toml"
sed 's/,20[0-9][0-9]-[0-9-]*T[0-9:]*[^,]*$/,/' "$src/proxies.csv" > "$w/proxies.csv"
S() { "$bin" "$@" > /dev/null 2>&1; }
if S init --db "$w/db" --meeting "$w/meeting.toml" --key "$w/registrar.key"; then
  S import register "$src/register.csv" --db "$w/db" --key "$w/registrar.key" || true
  S import abstentions "$src/abstentions.csv" --db "$w/db" --key "$w/registrar.key" || true
  S import proxies "$w/proxies.csv" --db "$w/db" --key "$w/registrar.key" || true
  S import ballots "$src/ballots.csv" --db "$w/db" --key "$w/registrar.key" --open || true
  # A verification state of the meeting before it closes (polls open, ballots cast).
  S checkpoint --db "$w/db" --key "$w/registrar.key" --out "$w/open-checkpoint.txt" || true
  S export --db "$w/db" --out "$w/open.bundle" \
    && { S verify "$w/open.bundle" --trust "$(cat "$w/registrar.vkey")" --state-out "$w/open.state" || true; }
  [ -f "$w/open.state" ] && state_seed open "$w/open.state"
  S close --db "$w/db" --key "$w/registrar.key" || true
  S checkpoint --db "$w/db" --key "$w/registrar.key" --out "$w/checkpoint.txt" || true
  S cosign "$w/checkpoint.txt" --key "$w/scrutineer.key" --state "$w/witness" \
    --log-key "$w/registrar.vkey" --db "$w/db" || true
  [ -f "$w/checkpoint.txt" ] && seed notes_keys cosigned < "$w/checkpoint.txt"
  S export --db "$w/db" --out "$w/meeting.bundle" && seed bundle_verify cli < "$w/meeting.bundle"
  S verify "$w/meeting.bundle" --trust "$(cat "$w/registrar.vkey")" --trust "$(cat "$w/scrutineer.vkey")" \
    --state-out "$w/closed.state" || true
  [ -f "$w/closed.state" ] && state_seed closed "$w/closed.state"
  cut -d, -f1 "$src/register.csv" | sed 1d | head -3 | while read -r h; do
    S receipt --db "$w/db" --holder "$h" --out "$w/receipt-$h.json" \
      && seed receipt_verify "$h" < "$w/receipt-$h.json"
  done
fi
# Reproducers of crashes found before (also regression tests in the owning crates).
for d in "$here"/regressions/*/; do
  t=$(basename "$d")
  for f in "$d"*; do seed "$t" "regression-$(basename "$f")" < "$f"; done
done
for t in "$corpus"/*; do
  printf '%-16s %3d seeds %7d bytes\n' "$(basename "$t")" "$(ls "$t" | wc -l)" "$(cat "$t"/* 2>/dev/null | wc -c)"
done
