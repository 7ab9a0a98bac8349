"""Zhifa: the 行政执法三项制度 platform."""
