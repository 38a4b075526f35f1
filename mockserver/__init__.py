"""dashscope-realtime-mock: a protocol-faithful mock of DashScope's realtime WebSocket API."""

__version__ = "0.1.0"
__all__ = ["__version__"]
