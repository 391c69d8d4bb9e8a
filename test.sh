#!/usr/bin/env bash
# The test command: installs what the suites need, builds everything (which generates and
# compiles the accessors) with warnings as errors, and runs every test suite.
# A missing prerequisite fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
    echo "test.sh: the .NET SDK 10 is required (dotnet not found on PATH)" >&2
    exit 1
fi
sdk=$(dotnet --version)
case "$sdk" in
    10.*) ;;
    *) echo "test.sh: .NET SDK 10 required, found $sdk" >&2; exit 1 ;;
esac

# QEMU 10 for the Qtest suite: Debian 12's own QEMU (7.2) has no igb, bookworm-backports has 10.x.
need_qemu() {
    command -v qemu-system-x86_64 >/dev/null 2>&1 || return 0
    local major
    major=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
    [ "${major:-0}" -lt 8 ]
}
if need_qemu; then
    echo "== installing QEMU 10 from bookworm-backports"
    if [ "$(id -u)" -ne 0 ]; then
        echo "test.sh: QEMU >= 8 (with igb) is required; as root run: apt-get install -t bookworm-backports qemu-system-x86" >&2
        exit 1
    fi
    . /etc/os-release
    echo "deb http://deb.debian.org/debian ${VERSION_CODENAME}-backports main" > /etc/apt/sources.list.d/regs-backports.list
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t "${VERSION_CODENAME}-backports" --no-install-recommends qemu-system-x86 >/dev/null
    if need_qemu; then
        echo "test.sh: QEMU with igb could not be installed" >&2
        exit 1
    fi
fi
qemu-system-x86_64 --version | head -n 1

# DPDK's testpmd for the VhostUser suite (a second virtio-net device implementation: DPDK's
# vhost library as the data path of QEMU's virtio-net-pci). Debian ships it in dpdk-dev.
if ! command -v dpdk-testpmd >/dev/null 2>&1; then
    echo "== installing DPDK (dpdk-testpmd)"
    if [ "$(id -u)" -ne 0 ]; then
        echo "test.sh: dpdk-testpmd is required for Category=VhostUser; as root run: apt-get install dpdk-dev" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dpdk-dev >/dev/null
    if ! command -v dpdk-testpmd >/dev/null 2>&1; then
        echo "test.sh: dpdk-testpmd could not be installed (package dpdk-dev)" >&2
        exit 1
    fi
fi
for tool in setsid stdbuf; do
    command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: $tool is required (util-linux, coreutils)" >&2; exit 1; }
done
echo "dpdk-testpmd: $(command -v dpdk-testpmd) $(dpkg-query -W -f='(dpdk-dev ${Version})' dpdk-dev 2>/dev/null || true)"

echo "== restore and build (generator runs inside the build)"
dotnet build Regs.sln -c Release -warnaserror -nologo -v quiet

echo "== tests"
log=$(mktemp)
set +e
dotnet test Regs.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
    echo "test.sh: no test ran" >&2
    status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
