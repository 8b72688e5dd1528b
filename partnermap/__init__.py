"""partnermap: a knowledge graph of public-sector partnerships and services."""

__version__ = "0.1.0"

__all__ = ["__version__"]
