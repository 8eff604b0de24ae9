"""A faithful local replay of the monitored outlets, for tests, the demo and benchmarks (no internet)."""
from newsmon.replay.server import Hit, ReplayServer
from newsmon.replay.site import ReplaySite, build_replay, expected_articles, expected_drops, synthetic_replay

__all__ = [
    "Hit",
    "ReplayServer",
    "ReplaySite",
    "build_replay",
    "expected_articles",
    "expected_drops",
    "synthetic_replay",
]
