"""The names the Pulumi engine knows this package's resources by (type tokens), in one place.

The component is ``rockset:index:PrivateLink`` in every language; a check resource ``<Name>``
(:mod:`rockset_pulumi.check_resources`) is ``rockset:index:<Name>`` as the plugin's custom
resource and ``pulumi-python:dynamic/rockset:<Name>`` as a Python program's dynamic resource.
Existing stacks' state holds these tokens: changing one needs an alias, as the former component
token has.
"""

from __future__ import annotations

__all__ = ["COMPONENT_TOKEN", "FORMER_COMPONENT_TOKEN", "PACKAGE", "index_token"]

PACKAGE = "rockset"
"""The Pulumi package (the plugin ``pulumi-resource-rockset``), and the dynamic resources'
module."""


def index_token(name: str) -> str:
    """The token of this package's resource or type ``name``: ``rockset:index:<name>``."""
    return f"{PACKAGE}:index:{name}"


COMPONENT_TOKEN = index_token("PrivateLink")
FORMER_COMPONENT_TOKEN = "rockset:aws:PrivateLink"  # noqa: S105 - a type token, not a password
"""The component's token in releases before the plugin: stacks created with it update in
place (an alias)."""
