"""domain of the web client."""
