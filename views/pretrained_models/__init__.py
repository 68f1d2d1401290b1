"""The pretrained_models page: page.py draws the shared inputs and routes to one module per tab."""
