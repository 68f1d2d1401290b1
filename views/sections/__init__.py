"""Page sections kept out of the page files so each page stays thin: views/<page>.py calls them one line each."""
