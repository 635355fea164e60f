"""HTTP routes, Kafka consumers and the API's request/response models."""
