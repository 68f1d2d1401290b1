"""The embedding projector page (views/projector/page.py) and its tabs."""
