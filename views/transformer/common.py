"""Shared by the Transformer page's tabs: the widget-key prefix."""

K = "transformer_"  # widget, chart and session-state keys (bound to the URL) carry the page prefix
