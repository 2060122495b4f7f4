"""`lightbase sv ...` and `lightbase health`: control-socket answers for people and probes."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .control import ControlError, request
from .layout import Layout

EXIT_REFUSED = 1
EXIT_UNREACHABLE = 3


def format_status(service: dict[str, Any]) -> str:
    """`web  up  pid 42  12s  restarts 0  last exit: killed by SIGKILL`"""
    pid = f"pid {service['pid']}" if service.get("pid") else "-"
    last = service.get("last_exit")
    if last is None:
        ended = "-"
    elif last.get("signal"):
        ended = f"killed by {last['signal']}"
    else:
        ended = f"exited {last.get('code')}"
    ready = "" if service["state"] != "starting" or service.get("ready") else " (not ready)"
    return (
        f"{service['name']:<16} {service['state'] + ready:<20} {pid:<10} "
        f"{service['uptime']:>8.0f}s  restarts {service['restarts']:<4} last exit: {ended}"
    )


def run_sv(ns: argparse.Namespace, layout: Layout) -> int:
    socket_path = layout.control_socket
    try:
        if ns.verb == "status":
            reply = request(socket_path, {"cmd": "status", "names": ns.names})
            if ns.json and reply.get("ok"):
                print(json.dumps(reply, indent=2))
                return 0
            if reply.get("ok"):
                for service in reply["services"]:
                    print(format_status(service))
                return 0
        elif ns.verb == "check":
            message = {"cmd": "wait-ready", "names": ns.names, "timeout": ns.wait}
            reply = request(socket_path, message, timeout=ns.wait + 5)
            if not reply.get("ok") and reply.get("error") == "timeout":
                for service in reply.get("services", []):
                    print(f"not ready: {format_status(service)}")
                return EXIT_REFUSED
        elif ns.verb == "signal":
            message = {"cmd": "signal", "names": ns.names, "signal": ns.signal}
            reply = request(socket_path, message)
        else:
            reply = request(socket_path, {"cmd": ns.verb, "names": ns.names})
    except ControlError as exc:
        print(f"lightbase sv: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    if not reply.get("ok"):
        print(f"lightbase sv: {reply.get('error', 'refused')}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


def is_healthy(status: dict[str, Any]) -> tuple[bool, list[str]]:
    """Healthy: startup is over and each service that should run is up and ready."""
    problems = []
    if status.get("phase") != "running":
        phase = status.get("phase")
        problems.append(
            "lightbase is still starting" if phase == "startup" else f"lightbase is {phase}"
        )
    for service in status.get("services", []):
        if service["state"] == "failed":
            problems.append(f"{service['name']} failed")
        elif service["want"] != "down" and not service["ready"]:
            problems.append(f"{service['name']} is {service['state']}")
    return not problems, problems


def health(layout: Layout) -> int:
    try:
        status = request(layout.control_socket, {"cmd": "status", "names": []}, timeout=3.0)
    except ControlError as exc:
        print(f"unhealthy: {exc}")
        return 1
    healthy, problems = is_healthy(status)
    print("healthy" if healthy else "unhealthy: " + "; ".join(problems))
    return 0 if healthy else 1
