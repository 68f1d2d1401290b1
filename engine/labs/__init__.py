"""The BERT page's labs: one module per lab, named as its view (views/bert/labs/<name>.py)."""
