"""Tools for developing Leg Coach on one machine: local servers and consoles."""
