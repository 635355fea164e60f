"""Gateway adapters: pooled upstream clients and the rate-limit store."""
