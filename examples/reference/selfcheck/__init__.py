"""Self-checks for the reference connector against a tiny in-process fake SP-API.

Run from ``examples/reference``: ``python -m selfcheck``. Not part of the connector; the fake
knows only the public behaviour described in the SP-API docs.
"""
