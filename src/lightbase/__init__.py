"""lightbase: an init and service supervisor for multi-service containers."""

__version__ = "0.1.0"
