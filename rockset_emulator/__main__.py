"""Command line: ``python -m rockset_emulator --api-key KEY [options]``.

When both listeners are bound it prints one JSON line to stdout (``public_url``,
``privatelink_url``, ``ca_bundle``) and serves until SIGTERM or SIGINT, then exits 0. Logs go to
stderr only, so stdout carries nothing but that line.

``--drop-write N`` and ``--lose-write-answer N`` fail the N-th allowlist write of this process
(numbered in the request log's ``write`` field), before or after it takes effect; with
``--state-file``, a restarted emulator numbers its writes from 1 again.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from rockset_emulator.app import (
    DEFAULT_READ_LIMIT_PER_MINUTE,
    DEFAULT_UPDATE_LIMIT_PER_MINUTE,
)
from rockset_emulator.faults import FaultConfig, WriteFault
from rockset_emulator.server import Emulator, EmulatorConfig


def _non_negative(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return number


def _fraction(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not within [0, 1]")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive integer")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rockset_emulator",
        description="Emulate Rockset's public and PrivateLink API endpoints over HTTPS.",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        required=True,
        dest="api_keys",
        help="an accepted API key (repeatable)",
    )
    parser.add_argument(
        "--read-only-api-key",
        action="append",
        default=[],
        dest="read_only_api_keys",
        help="a key that may read but gets 403 on allowlist changes (repeatable)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address both listeners bind to")
    parser.add_argument("--public-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--privatelink-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--state-file", type=Path, help="JSON file the organization and allowlist persist in"
    )
    parser.add_argument(
        "--ready-after",
        type=_non_negative,
        default=0.0,
        metavar="SECONDS",
        help="the privatelink listener refuses connections until then",
    )
    parser.add_argument("--user-email", default="admin@example.com")
    parser.add_argument("--latency", type=_non_negative, default=0.0, metavar="SECONDS")
    parser.add_argument(
        "--error-rate",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="fraction of requests answered 503 SERVICEUNAVAILABLE",
    )
    parser.add_argument(
        "--rate-limit-rate",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="fraction of requests answered 429 with Retry-After",
    )
    parser.add_argument(
        "--reset-rate",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="fraction of requests whose connection is reset",
    )
    parser.add_argument(
        "--malformed-rate",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="fraction of requests answered 200 with a truncated body",
    )
    parser.add_argument("--seed", type=int, help="seed for the fault draws")
    parser.add_argument(
        "--drop-write",
        action="append",
        type=_positive_int,
        default=[],
        dest="drop_writes",
        metavar="N",
        help="reset the connection of allowlist write N (POST or DELETE, counted from 1 over "
        "both listeners) before it takes effect (repeatable)",
    )
    parser.add_argument(
        "--lose-write-answer",
        action="append",
        type=_positive_int,
        default=[],
        dest="lost_write_answers",
        metavar="N",
        help="apply allowlist write N, then reset its connection without an answer (repeatable)",
    )
    parser.add_argument(
        "--request-log",
        type=Path,
        metavar="PATH",
        help="append one JSON line per request (never headers or keys); an allowlist write's "
        "line carries its number as 'write' and its body as 'body'",
    )
    parser.add_argument(
        "--ca-dir", type=Path, help="directory of the emulator's CA; an existing CA there is reused"
    )
    parser.add_argument(
        "--tls-name",
        action="append",
        default=[],
        dest="tls_names",
        help="extra DNS name for the server certificate (repeatable)",
    )
    parser.add_argument(
        "--read-limit-per-minute", type=_positive_int, default=DEFAULT_READ_LIMIT_PER_MINUTE
    )
    parser.add_argument(
        "--update-limit-per-minute", type=_positive_int, default=DEFAULT_UPDATE_LIMIT_PER_MINUTE
    )
    parser.add_argument("--verbose", action="store_true", help="log every connection to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        faults = FaultConfig(
            latency=args.latency,
            error_rate=args.error_rate,
            rate_limit_rate=args.rate_limit_rate,
            reset_rate=args.reset_rate,
            malformed_rate=args.malformed_rate,
            seed=args.seed,
            write_faults=(
                *(WriteFault(number, "before") for number in args.drop_writes),
                *(WriteFault(number, "after") for number in args.lost_write_answers),
            ),
        )
    except ValueError as exc:
        _parser().error(str(exc))
    config = EmulatorConfig(
        api_keys=tuple(args.api_keys),
        read_only_api_keys=tuple(args.read_only_api_keys),
        host=args.host,
        public_port=args.public_port,
        privatelink_port=args.privatelink_port,
        state_file=args.state_file,
        ready_after=args.ready_after,
        user_email=args.user_email,
        faults=faults,
        request_log=args.request_log,
        ca_dir=args.ca_dir,
        tls_names=tuple(args.tls_names),
        read_limit_per_minute=args.read_limit_per_minute,
        update_limit_per_minute=args.update_limit_per_minute,
    )

    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        logging.getLogger("rockset_emulator").info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    emulator = Emulator(config).start()
    try:
        ready = {
            "public_url": emulator.public_url,
            "privatelink_url": emulator.privatelink_url,
            "ca_bundle": str(emulator.ca_bundle),
        }
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        stop.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
