"""service of the web client."""
