#!/usr/bin/env bash
# Builds the Pulumi CLI from Go modules (no download of prebuilt binaries) and installs it, with the
# dynamic-provider host launcher that ships in the sdk/v3 Go module, into <repo>/.tools/pulumi/bin/:
#
#   pulumi                         github.com/pulumi/pulumi/pkg/v3/cmd/pulumi @ $PULUMI_CLI_VERSION (see go.mod)
#   pulumi-resource-pulumi-python  sdk/v3@$PULUMI_SDK_SCRIPTS_VERSION python/dist/pulumi-resource-pulumi-python
#
# No Python language host from here: the upstream host's Go module is not served by the proxy, so the
# repository's own (devtools/bin-lang/pulumi-language-python, on the SDK's LanguageServer) stands in.
# The YAML language host has its own wrapper module and script: tools/pulumi-yaml/build.sh.
#
# A fast no-op when everything is already installed at these versions. Usage: tools/pulumi/build.sh [--force]
set -euo pipefail

# The CLI version must equal the pkg/v3 version required in go.mod. v3.270.0 (the pinned Python SDK) is not
# served by the Go module proxy (its pkg/v3 zip is refused), so the CLI is the nearest newer served release.
PULUMI_CLI_VERSION="v3.274.1"
# The helper scripts are taken from the sdk/v3 release that matches the pinned Python SDK (pulumi==3.270.0).
PULUMI_SDK_SCRIPTS_VERSION="v3.270.0"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$repo/.tools/pulumi/bin"
stamp="$repo/.tools/pulumi/.stamp"
want_stamp="cli=$PULUMI_CLI_VERSION scripts=$PULUMI_SDK_SCRIPTS_VERSION build=$(cat "$here/go.mod" "$here/go.sum" \
    "$here/build.sh" | sha256sum | cut -c1-16)"
files=(pulumi pulumi-resource-pulumi-python)

log() { echo "[tools/pulumi/build.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

force=0
[[ "${1:-}" == "--force" ]] && force=1

up_to_date() {
    local f
    for f in "${files[@]}"; do [[ -x "$bin/$f" ]] || return 1; done
    [[ -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]] || return 1
    [[ "$("$bin/pulumi" version 2>/dev/null)" == "$PULUMI_CLI_VERSION" ]] || return 1
}

if [[ $force -eq 0 ]] && up_to_date; then
    log "up to date: $bin (pulumi $PULUMI_CLI_VERSION)"
    exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' is not on PATH. Install Go >= 1.26.6 (e.g. from the distro or \
/usr/local/go) to build the Pulumi CLI from Go modules."
# go.mod says `go 1.26.6`; an older local Go would try to download a toolchain (GOTOOLCHAIN=auto) or fail.
go_ver="$(go env GOVERSION)"
log "using $(command -v go) ($go_ver)"

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
cd "$here"

ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_CLI_VERSION"
build_flags=(-trimpath -buildvcs=false -tags osusergo,grpcnotrace -ldflags "$ldflags")
mkdir -p "$repo/.tools"
tmp="$(mktemp -d "$repo/.tools/pulumi.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
log "building pulumi $PULUMI_CLI_VERSION (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) (first build on 2 cores: ~5 min, ~9 min with a cold module cache)"
go build "${build_flags[@]}" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

log "fetching helper scripts from github.com/pulumi/pulumi/sdk/v3@$PULUMI_SDK_SCRIPTS_VERSION"
sdk_dir="$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PULUMI_SDK_SCRIPTS_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
[[ -n "$sdk_dir" && -d "$sdk_dir" ]] || die "could not download github.com/pulumi/pulumi/sdk/v3@$PULUMI_SDK_SCRIPTS_VERSION"
# The module cache is read-only: copy, then make writable/executable.
cp "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$tmp/"

chmod 0755 "${files[@]/#/$tmp/}"
mkdir -p "$bin"
for f in "${files[@]}"; do mv -f "$tmp/$f" "$bin/$f"; done
echo "$want_stamp" >"$stamp"

[[ "$("$bin/pulumi" version)" == "$PULUMI_CLI_VERSION" ]] || die "built pulumi reports '$("$bin/pulumi" version)'"
log "installed into $bin in $((SECONDS - start))s:"
ls -l "${files[@]/#/$bin/}" >&2
