"""A response's events in the documented order, and its usage."""
