"""The chassis's building blocks free of I/O, which services' domain packages may use."""
