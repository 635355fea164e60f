"""Gateway entrypoints: the edge middleware, the proxy, the combined routes and the docs."""
