"""Companion tools that service scripts call by name (one module per tool)."""
