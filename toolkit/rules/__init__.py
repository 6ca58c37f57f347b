"""The rules: the registry (metadata from ``schemas/rules.toml``), the checks, the catalogue.

Importing :mod:`toolkit.rules.builtin` registers every check; add a rule as described in
``docs/architecture.md``.
"""
