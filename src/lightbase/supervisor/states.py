"""Service states, the events that move them, and what a service wants."""

from __future__ import annotations

from enum import Enum


class State(Enum):
    DOWN = "down"  # not running, not wanted (yet)
    WAITING = "waiting"  # wanted, waiting for its dependencies to be ready
    STARTING = "starting"  # running, not ready yet
    UP = "up"  # running and ready
    STOPPING = "stopping"  # its stop signal was sent
    FINISHING = "finishing"  # finish.sh runs after an exit
    BACKOFF = "backoff"  # waiting before the next restart
    FINISHED = "finished"  # ended for good, successfully
    FAILED = "failed"  # ended for good, unsuccessfully (or given up on)

    @property
    def running(self) -> bool:
        """A process of the service may be alive."""
        return self in (State.STARTING, State.UP, State.STOPPING)

    @property
    def settled(self) -> bool:
        """Nothing of the service is alive or pending."""
        return self in (State.DOWN, State.FINISHED, State.FAILED)


class Event(Enum):
    WANT_UP = "up"  # start it and keep it running (`sv up`, boot)
    WANT_ONCE = "once"  # start it, do not restart it
    WANT_DOWN = "down"  # stop it and keep it stopped
    WANT_RESTART = "restart"  # stop it if running, then start it again at once
    DEPS_READY = "deps-ready"  # every dependency is ready
    READY = "ready"  # its readiness check passed
    READY_TIMEOUT = "ready-timeout"
    EXITED = "exited"  # its process was reaped
    FINISH_DONE = "finish-done"  # finish.sh ended (or was not there)
    BACKOFF_DONE = "backoff-done"
    SHUTDOWN = "shutdown"  # the container is stopping
    STOP_NOW = "stop-now"  # shutdown reached this service: send its stop signal


class Want(Enum):
    UP = "up"
    ONCE = "once"
    DOWN = "down"


class Phase(Enum):
    """Where the container as a whole is."""

    STARTUP = "startup"  # startup scripts run; no service process yet
    RUNNING = "running"  # services are supervised
    STOPPING = "stopping"  # the shutdown has begun
