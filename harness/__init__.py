"""ACORN: an onboarding-readiness and compliance test harness for SP-API integrations.

The package is layered; each layer imports only the ones before it:
``contracts -> sim -> drive -> checks -> report -> plugin/cli``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
