"""gongkai (公开): open-government-information work for Chinese government agencies."""

__version__ = "0.1.0"
