"""The home page (no tabs): page.py."""
