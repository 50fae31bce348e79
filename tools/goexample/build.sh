#!/usr/bin/env bash
# Builds the engine-test driver of examples/go (main.go: the example's program, inline through the Go
# Automation API, as the CLI built here has no Go language host) into
#
#   <repo>/.tools/goexample/bin/goexample    run by tests/test_engine_go.py
#
# and compiles the example's own main package, so a user's `go build` of it is checked too. Go's default
# build and module caches are used, shared with the CLI's build (tools/pulumi): pulumi-aws's ec2 package is
# most of the work. Measured on 2 busy cores: ~7.5 min with an empty build cache, seconds when warm.
#
# A fast no-op when already built from these sources (the driver, the example and the generated SDK).
# Usage: tools/goexample/build.sh [--force]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$repo/.tools/goexample/bin"
stamp="$repo/.tools/goexample/.stamp"
sources() {
    find "$here" "$repo/examples/go" "$repo/sdk/go" -type f \( -name '*.go' -o -name go.mod -o -name go.sum \
        -o -name build.sh \) -print0 | sort -z | xargs -0 cat
}
want_stamp="build=$(sources | sha256sum | cut -c1-16)"

log() { echo "[tools/goexample/build.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ "${1:-}" != "--force" && -x "$bin/goexample" && -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]]; then
    log "up to date: $bin/goexample"
    exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' is not on PATH. Install Go >= 1.26.6 to build the Go example's driver."
log "using $(command -v go) ($(go env GOVERSION))"

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
mkdir -p "$bin"
tmp="$(mktemp -d "$repo/.tools/goexample.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
log "building the driver and examples/go (pulumi-aws's ec2 package: minutes on a cold build cache)"
(cd "$here" && go build -trimpath -buildvcs=false -o "$tmp/goexample" .)
(cd "$repo/examples/go" && go build -trimpath -buildvcs=false -o "$tmp/example" .)
mv -f "$tmp/goexample" "$bin/goexample"
echo "$want_stamp" >"$stamp"
log "installed $bin/goexample in $((SECONDS - start))s"
