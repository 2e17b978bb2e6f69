"""The web process's gunicorn worker (scripts/serve): gunicorn's threaded worker, with the connections spread evenly
over the workers.

With gunicorn's own threaded worker, a worker takes a new connection when its main thread wins the race to
``accept()`` it, and keeps it for as long as the client keeps it alive. The busiest worker, already running, wins
that race most often, so clients that stay connected (a proxy's pool, a benchmark's, a busy office's browsers) pile
onto it: measured with 50 kept-alive clients and 4 workers, one worker held 33 to 40 of the connections and queued
their requests behind its 4 threads while the other three were half idle (docs/performance.md, "Fourth pass").

Here the workers publish how many connections each holds (a few shared integers, made in the master before it
forks them), and a worker listens for new connections only while it holds no more than the average. The worker
with the fewest always does, so no connection waits for want of a worker willing to take it.

Connections are not closed to spread them again (as nginx's ``keepalive_requests`` would): gunicorn closes a
connection by waiting, in the worker's main thread, for the client to close its side, which stalled the worker's
other connections (p99 290 ms → 1,24 s when every hundredth request closed its connection). A worker started again
gets its share from the connections made after it, as clients' idle connections expire (``GUNICORN_KEEPALIVE``).
"""

import ctypes
import multiprocessing
import os

from gunicorn.workers import gthread

#: more workers than one machine runs at once (a dead worker's slot is taken by the next one started); each worker
#: reads them all between two events, so they are few
SLOTS = 64

# made at import, in the master (gunicorn loads the worker class before forking): every worker shares them
_pids = multiprocessing.RawArray(ctypes.c_int, SLOTS)
_connections = multiprocessing.RawArray(ctypes.c_int, SLOTS)
_claiming = multiprocessing.Lock()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ThreadWorker(gthread.ThreadWorker):
    _slot = None

    def init_process(self):
        # the first slot free, or left by a worker that has died; a worker that cannot have one (the lock left held by
        # a worker killed while taking its own, every slot taken) is not counted, and listens by the others' average
        if _claiming.acquire(timeout=1):
            try:
                free = (i for i in range(SLOTS) if not _pids[i] or not _alive(_pids[i]))
                self._slot = next(free, None)
                if self._slot is not None:
                    _pids[self._slot], _connections[self._slot] = os.getpid(), 0
            finally:
                _claiming.release()
        super().init_process()

    @property
    def nr_conns(self) -> int:
        return self._nr_conns

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:  # gunicorn counts a worker's connections here: publish it
        self._nr_conns = value
        if self._slot is not None:
            _connections[self._slot] = value

    def _below_average(self) -> bool:
        # a worker killed (by its timeout) leaves its slot until the next one started takes it: not counted meanwhile
        live = [_connections[i] for i in range(SLOTS) if _pids[i] and _alive(_pids[i])]
        return self.nr_conns * len(live) <= sum(live)

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled and self._below_average())

    def wait_for_and_dispatch_events(self, timeout):
        if self.alive:  # the others' connections may have changed since the loop last looked
            self.set_accept_enabled(self.nr_conns < self.worker_connections)
        super().wait_for_and_dispatch_events(timeout)
