"""Figures of the BERT page's labs, one module per lab (named as engine/labs/<name>.py and views/bert/labs/<name>.py)."""
