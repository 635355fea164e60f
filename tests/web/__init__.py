"""Browser tests of the web client on the whole platform."""
