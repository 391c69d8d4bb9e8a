#!/usr/bin/env bash
# Benchmarks of an earlier revision and of the working tree, alternated in one session, so that a
# host whose speed drifts affects both alike (docs/performance.md, 3.5).
#   tests/Regs.Benchmarks/side-by-side.sh NAME REV ROUNDS FILTER...
#   e.g. side-by-side.sh wire-sbs f567dca 2 '*DriverWireBenchmarks.*001*' '*DriverWireBenchmarks.*032*'
# Logs: artifacts/perf/NAME-{old,new}-ROUND.log. REV is checked out (detached) in a worktree
# beside this one (REGS_SBS_OLD, default ../<this folder>-sbs-old): not inside it, where
# BenchmarkDotNet would find two Regs.Benchmarks projects and refuse to build either.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1; rev=$2; rounds=$3; shift 3
root=$PWD; old=${REGS_SBS_OLD:-$(dirname "$root")/$(basename "$root")-sbs-old}; out=$root/artifacts/perf
mkdir -p "$out"
[ -d "$old" ] || git worktree add --detach "$old" "$rev"
git -C "$old" checkout -q --detach "$rev"
for tree in "$root" "$old"; do dotnet build "$tree/tests/Regs.Benchmarks" -c Release -nologo -v q; done
for round in $(seq 1 "$rounds"); do
  for side in new old; do
    tree=$root; [ "$side" = old ] && tree=$old
    # BenchmarkDotNet on .NET 10: its build folder must stay out of the system temp folder.
    export TMPDIR=$tree/artifacts/bdn-tmp; mkdir -p "$TMPDIR"
    (cd "$tree" && dotnet tests/Regs.Benchmarks/bin/Release/net10.0/Regs.Benchmarks.dll --filter "$@") > "$out/$name-$side-$round.log" 2>&1
    echo "$side round $round: $out/$name-$side-$round.log"
  done
done
