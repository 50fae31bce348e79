#!/usr/bin/env bash
# End-to-end check of the offline Pulumi engine built by tools/pulumi/build.sh, all in a temp dir, no network:
#   1. CLI: login file://, stack init, preview, up, stack output, destroy on a Python project whose program
#      exports a value and creates a pulumi.dynamic.Resource (provider class in a module on PYTHONPATH);
#   2. Automation API on the same project (local program), then an inline program.
# Usage: tools/pulumi/smoke.sh   (VENV=/path/to/venv to use another virtualenv; default <repo>/.venv)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
VENV="${VENV:-$repo/.venv}"
bin="$repo/.tools/pulumi/bin"

"$here/build.sh"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-smoke.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pylib" "$tmp/proj" "$tmp/home" "$tmp/state"

cat >"$tmp/pylib/smoke_provider.py" <<'EOF'
import uuid

from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider


class EchoProvider(ResourceProvider):
    def create(self, props):
        return CreateResult(id_=uuid.uuid4().hex, outs={**props, "echoed": props["message"].upper()})

    def diff(self, _id, olds, news):
        return DiffResult(changes=olds.get("message") != news.get("message"))

    def delete(self, _id, _props):
        pass
EOF
cat >"$tmp/proj/Pulumi.yaml" <<EOF
name: smoke
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: $VENV
EOF
cat >"$tmp/proj/__main__.py" <<'EOF'
import pulumi
from pulumi.dynamic import Resource

from smoke_provider import EchoProvider


class Echo(Resource):
    def __init__(self, name, message, opts=None):
        super().__init__(EchoProvider(), name, {"message": message, "echoed": None}, opts)


pulumi.export("greeting", "hello")
pulumi.export("echoed", Echo("echo", "hi").echoed)
EOF

export PATH="$bin:$PATH"
export PULUMI_HOME="$tmp/home"
export PULUMI_CONFIG_PASSPHRASE=test
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
export PYTHONPATH="$tmp/pylib${PYTHONPATH:+:$PYTHONPATH}"

echo "== CLI"
cd "$tmp/proj"
pulumi login "file://$tmp/state"
pulumi stack init smoke
pulumi preview
pulumi up --yes
[[ "$(pulumi stack output echoed)" == "HI" ]] || { echo "unexpected stack output" >&2; exit 1; }
pulumi destroy --yes
pulumi stack rm --yes smoke

echo "== Automation API"
"$VENV/bin/python" - "$tmp" "$bin" "$VENV" <<'EOF'
import os, sys

import pulumi
from pulumi import automation as auto

tmp, bin_dir, venv = sys.argv[1:]
env = {
    "PULUMI_CONFIG_PASSPHRASE": "test",
    "PULUMI_BACKEND_URL": f"file://{tmp}/state",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    "PULUMI_SKIP_UPDATE_CHECK": "true",
    "PYTHONPATH": os.environ["PYTHONPATH"],
}
cmd = auto.PulumiCommand(root=os.path.dirname(bin_dir))  # root/bin/pulumi
home = f"{tmp}/home"

opts = auto.LocalWorkspaceOptions(work_dir=f"{tmp}/proj", pulumi_home=home, env_vars=env, pulumi_command=cmd)
stack = auto.create_or_select_stack(stack_name="auto", work_dir=f"{tmp}/proj", opts=opts)
print("local preview:", stack.preview(on_output=print).change_summary)
up = stack.up(on_output=print)
assert up.outputs["echoed"].value == "HI", up.outputs
print("local destroy:", stack.destroy(on_output=print).summary.result)

sys.path.insert(0, f"{tmp}/pylib")
from smoke_provider import EchoProvider


class InlineEcho(pulumi.dynamic.Resource):
    pass


def program():
    pulumi.export("echoed", InlineEcho(EchoProvider(), "inline", {"message": "inline", "echoed": None}).echoed)


# Inline programs run with runtime `client`, so Pulumi.yaml's virtualenv option does not reach the dynamic-provider
# launcher (pulumi-resource-pulumi-python): name the interpreter explicitly.
env_inline = {**env, "PULUMI_PYTHON_CMD": f"{venv}/bin/python"}
opts = auto.LocalWorkspaceOptions(pulumi_home=home, env_vars=env_inline, pulumi_command=cmd)
stack = auto.create_or_select_stack(stack_name="inline", project_name="smokeinline", program=program, opts=opts)
up = stack.up(on_output=print)
assert up.outputs["echoed"].value == "INLINE", up.outputs
print("inline destroy:", stack.destroy(on_output=print).summary.result)
EOF
echo "pulumi smoke: OK"
