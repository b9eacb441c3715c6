"""What every app's REST endpoints build on: the write pattern, pagination, permissions and
one mapping of domain errors to HTTP responses."""
