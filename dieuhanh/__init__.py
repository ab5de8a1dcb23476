"""dieuhanh: send, receive, process and keep official documents across a multi-level organization."""

__version__ = "0.1.0"
