"""Development tools for rockset-pulumi: test doubles and helpers that never ship."""
