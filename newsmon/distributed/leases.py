"""What this worker knows of the leases it holds, and when each may be acknowledged.

A lease is acknowledged (removed from Redis, the request done for good) only when nothing of its
work can be lost with this process any more:
- its response was read: the callback's output is exhausted (every request it made is in the
  shared frontier, every article it gave is in the item pipelines), or its download failed for
  good (the errback needs nothing else);
- each of its articles left the item pipelines (stored in the store step's buffer, or dropped);
- and the store step wrote the batch they went into: the store step counts the batches it takes
  from its buffer (on the store thread); a lease settled while `taken` batches had been taken has
  its articles in batch `taken + 1` or an earlier one, so it is due once that many are written.
Until then the lease is renewed; a worker that dies leaves it to expire, and another worker
fetches the request again. The store's deduplication by URL and content makes that harmless.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

# Request meta: the lease under which this request (or the one it replaced: a retry, a
# redirect) was taken from the frontier.
LEASE_META = "newsmon_lease"


@dataclass
class _Lease:
    articles_in_flight: int = 0
    read: bool = False  # the response's output is exhausted, or the download failed for good


class LeaseBook:
    def __init__(self, worker: str, batches_taken: Callable[[], int] = lambda: 0) -> None:
        self.worker = worker
        self.batches_taken = batches_taken  # how many batches the store step has taken so far
        self._numbers = itertools.count(1)
        self._held: dict[str, _Lease] = {}
        # Complete: (lease, batches taken when it was), acknowledged once the next batch is written.
        self._done: list[tuple[str, int]] = []

    def new_lease(self) -> str:
        lease = f"{self.worker}#{next(self._numbers)}"
        self._held[lease] = _Lease()
        return lease

    def article_out(self, lease: str) -> None:
        if lease in self._held:
            self._held[lease].articles_in_flight += 1

    def article_done(self, lease: str) -> None:
        if lease in self._held:
            self._held[lease].articles_in_flight -= 1
            self._settle(lease)

    def read(self, lease: str) -> None:
        if lease in self._held:
            self._held[lease].read = True
            self._settle(lease)

    def handed_over(self, lease: str) -> bool:
        """The request went back to the frontier as another request (a retry, a redirect):
        that one is the work now. False when this worker did not hold the lease."""
        return self._held.pop(lease, None) is not None

    def _settle(self, lease: str) -> None:
        state = self._held[lease]
        if state.read and state.articles_in_flight <= 0:
            del self._held[lease]
            self._done.append((lease, self.batches_taken()))

    def take_done(self, batches_written: int) -> list[str]:
        """The leases to acknowledge now that the store step has written `batches_written` batches."""
        due = [lease for lease, taken in self._done if taken < batches_written]
        self._done = [(lease, taken) for lease, taken in self._done if taken >= batches_written]
        return due

    def not_acknowledged(self, leases: list[str]) -> None:
        """Acknowledging failed (Redis unreachable): they stay due."""
        self._done[:0] = [(lease, -1) for lease in leases]

    def outstanding(self) -> list[str]:
        """Every lease still to be acknowledged or given back: to renew, or to release at close."""
        return [*self._held, *(lease for lease, _ in self._done)]

    def __len__(self) -> int:
        return len(self._held) + len(self._done)
