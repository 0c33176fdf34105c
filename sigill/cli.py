"""The `sigill` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sigill import config, logs


def _settings(args: argparse.Namespace) -> config.Settings:
    overrides: dict[str, Any] = {
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "data_dir": getattr(args, "data_dir", None),
    }
    if getattr(args, "no_demo", False):
        overrides["demo"] = False
    return config.load(getattr(args, "config", None), overrides=overrides)


def _add_config_flags(parser: argparse.ArgumentParser, *, network: bool = False) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help="TOML settings file")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="where data lives (default ./var)")
    if network:
        parser.add_argument("--host", metavar="H", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, metavar="P", help="port to listen on (default 8080)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sigill", description="Sigill: secure messaging.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the server")
    _add_config_flags(serve, network=True)
    serve.add_argument("--no-demo", action="store_true", help="do not create demo data in development mode")

    keys = commands.add_parser("keys", help="manage key-encryption keys (rotate, rewrap)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    _add_config_flags(key_commands.add_parser("rotate", help="add a new key-encryption key and use it"))
    _add_config_flags(
        key_commands.add_parser("rewrap", help="re-wrap stored data keys under the newest key-encryption key")
    )

    audit = commands.add_parser("audit", help="check the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    _add_config_flags(audit_commands.add_parser("verify", help="verify that every audit chain is whole"))

    dev = commands.add_parser("dev", help="development helpers (development mode only)")
    dev_commands = dev.add_subparsers(dest="dev_command", required=True, metavar="ACTION")
    token = dev_commands.add_parser("token", help="print a staff access token for EMAIL")
    token.add_argument("email")
    _add_config_flags(token, network=True)

    bench = commands.add_parser("bench", help="run a benchmark and print one JSON line")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True, metavar="WHAT")
    crypto = bench_commands.add_parser("crypto", help="attachment encryption throughput")
    crypto.add_argument("--size-mb", type=int, default=256, metavar="N")
    api = bench_commands.add_parser("api", help="send and listing throughput of the REST API")
    api.add_argument("--cases", type=int, default=100_000, metavar="N")
    api.add_argument("--sends", type=int, default=3000, metavar="N")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except config.ConfigError as exc:
        print(f"sigill: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "bench":
        return _bench(args)
    settings = _settings(args)
    logs.configure(structured=settings.structured_logs, level=settings.log_level)
    from sigill import commands

    match args.command:
        case "serve":
            return commands.serve(settings)
        case "keys":
            return asyncio.run(commands.keys(settings, args.keys_command))
        case "audit":
            return asyncio.run(commands.audit_verify(settings))
        case "dev":
            return asyncio.run(commands.dev_token(settings, args.email))
    return 2


def _bench(args: argparse.Namespace) -> int:
    result: dict[str, Any]
    if args.bench_command == "crypto":
        from bench import crypto_bench

        result = crypto_bench.run(args.size_mb)
    else:
        from bench import api_bench

        result = api_bench.run(cases=args.cases, sends=args.sends)
    print(json.dumps(result))
    return 0
