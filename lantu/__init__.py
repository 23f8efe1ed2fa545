"""Lantu (蓝图): targeted poverty alleviation and prevention of return to poverty."""

__version__ = "0.1.0"
