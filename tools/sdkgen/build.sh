#!/usr/bin/env bash
# Builds the SDK generator (main.go: Pulumi's codegen/nodejs and codegen/go from pkg/v3) into
#
#   <repo>/.tools/sdkgen/bin/sdkgen    run by `make sdks`: writes sdk/nodejs and sdk/go from schema.json
#
# Its own module, pinned like the CLI's (tools/pulumi): the same pkg/v3 and the same versions of what they
# share, built with the CLI's flags, so that after the CLI build it compiles little (seconds, not minutes).
#
# A fast no-op when already built from these sources. Usage: tools/sdkgen/build.sh [--force]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$repo/.tools/sdkgen/bin"
stamp="$repo/.tools/sdkgen/.stamp"
want_stamp="build=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/build.sh" | sha256sum | cut -c1-16)"

log() { echo "[tools/sdkgen/build.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ "${1:-}" != "--force" && -x "$bin/sdkgen" && -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]]; then
    log "up to date: $bin/sdkgen"
    exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' is not on PATH. Install Go >= 1.26.6 to build the SDK generator."
log "using $(command -v go) ($(go env GOVERSION))"

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
cd "$here"
mkdir -p "$bin"
tmp="$(mktemp -d "$repo/.tools/sdkgen.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
log "building sdkgen (github.com/pulumi/pulumi/pkg/v3/codegen)"
go build -trimpath -buildvcs=false -tags osusergo,grpcnotrace -o "$tmp/sdkgen" .
chmod 0755 "$tmp/sdkgen"
mv -f "$tmp/sdkgen" "$bin/sdkgen"
echo "$want_stamp" >"$stamp"
log "installed $bin/sdkgen in $((SECONDS - start))s"
