"""Gateway domain: the route and access tables and the header rules, free of I/O."""
