#!/usr/bin/env bash
# Builds Pulumi's YAML language host from Go modules and installs it beside the CLI:
#
#   <repo>/.tools/pulumi/bin/pulumi-language-yaml   github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml @ go.mod
#
# Its own module, not tools/pulumi's: pulumi-yaml pins a pkg/v3 whose API differs from the CLI's, so one
# module for both does not build. The CLI finds the host on PATH next to itself.
#
# A fast no-op when already installed at this version. Usage: tools/pulumi-yaml/build.sh [--force]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$repo/.tools/pulumi/bin"
stamp="$repo/.tools/pulumi/.stamp-yaml"
want_stamp="build=$(cat "$here/go.mod" "$here/go.sum" "$here/tools.go" "$here/build.sh" | sha256sum | cut -c1-16)"
host="pulumi-language-yaml"

log() { echo "[tools/pulumi-yaml/build.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ "${1:-}" != "--force" && -x "$bin/$host" && -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]]; then
    log "up to date: $bin/$host"
    exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' is not on PATH. Install Go >= 1.26.6 to build the YAML language host."
log "using $(command -v go) ($(go env GOVERSION))"

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
cd "$here"
mkdir -p "$bin"
tmp="$(mktemp -d "$repo/.tools/pulumi-yaml.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
log "building $host (github.com/pulumi/pulumi-yaml, about a minute on 2 cores with a warm module cache)"
go build -trimpath -buildvcs=false -o "$tmp/$host" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
chmod 0755 "$tmp/$host"
mv -f "$tmp/$host" "$bin/$host"
echo "$want_stamp" >"$stamp"
log "installed $bin/$host in $((SECONDS - start))s"
