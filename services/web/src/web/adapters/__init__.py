"""adapters of the web client."""
