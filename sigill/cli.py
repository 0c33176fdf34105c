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
from sigill.errors import StartupError


def _settings(args: argparse.Namespace) -> config.Settings:
    overrides: dict[str, Any] = {
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "data_dir": getattr(args, "data_dir", None),
    }
    if getattr(args, "no_demo", False):
        overrides["demo"] = False
    return config.load(getattr(args, "config", None), overrides=overrides)


def _add_config_flags(
    parser: argparse.ArgumentParser, *, network: bool = False, serving: bool = True
) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help="TOML settings file")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="where data lives (default ./var)")
    if network:
        # A client of the server (`dev token`) names where it runs; only `serve` listens there.
        where = "to listen on" if serving else "of the running server the token is for"
        parser.add_argument("--host", metavar="H", help=f"address {where} (default 127.0.0.1)")
        parser.add_argument("--port", type=int, metavar="P", help=f"port {where} (default 8080)")


def _hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {text!r}") from None
    if not 0 <= hours < float("inf"):
        raise argparse.ArgumentTypeError("hours must be 0 or more")
    return hours


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sigill", description="Sigill: secure messaging.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the server")
    _add_config_flags(serve, network=True)
    serve.add_argument("--no-demo", action="store_true", help="do not create demo data in development mode")

    worker = commands.add_parser(
        "worker", help="send notifications from the outbox, without serving (stops on SIGTERM)"
    )
    _add_config_flags(worker)

    keys = commands.add_parser("keys", help="manage key-encryption keys (init, list, rotate, rewrap, retire)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    _add_config_flags(key_commands.add_parser("init", help="make the keys of a new installation"))
    _add_config_flags(
        key_commands.add_parser("list", help="list key-encryption keys and how many wrapped keys each holds")
    )
    _add_config_flags(key_commands.add_parser("rotate", help="add a new key-encryption key and use it"))
    _add_config_flags(
        key_commands.add_parser("rewrap", help="re-wrap stored data keys under the newest key-encryption key")
    )
    retire = key_commands.add_parser("retire", help="remove key-encryption key KEK once nothing uses it")
    retire.add_argument("kek", metavar="KEK", help="the key's id, as `sigill keys list` prints it")
    _add_config_flags(retire)

    blobs = commands.add_parser("blobs", help="attachment storage maintenance (sweep)")
    blob_commands = blobs.add_subparsers(dest="blobs_command", required=True, metavar="ACTION")
    sweep = blob_commands.add_parser(
        "sweep", help="delete attachment blobs that no message references (older than a day)"
    )
    sweep.add_argument(
        "--older-than",
        type=_hours,
        metavar="HOURS",
        help="only blobs written at least HOURS ago (default 24)",
    )
    _add_config_flags(sweep)

    audit = commands.add_parser("audit", help="sign and check the audit trail (checkpoint, verify)")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    _add_config_flags(
        audit_commands.add_parser(
            "verify", help="verify every audit chain: whole, and as its latest signed checkpoint recorded"
        )
    )
    _add_config_flags(
        audit_commands.add_parser(
            "checkpoint",
            help="sign each organisation's audit chain head now and store it outside the database",
        )
    )

    dev = commands.add_parser("dev", help="development helpers (development mode only)")
    dev_commands = dev.add_subparsers(dest="dev_command", required=True, metavar="ACTION")
    token = dev_commands.add_parser("token", help="print a staff access token for EMAIL")
    token.add_argument("email", help="e-mail address of an existing staff user")
    token.add_argument("--loa", type=int, choices=(1, 2, 3), help="level of assurance of the sign-in")
    token.add_argument(
        "--admin",
        action=argparse.BooleanOptionalAction,
        help="carry the administrator app role (default: as the demo tenant assigns it)",
    )
    _add_config_flags(token, network=True, serving=False)

    mailbox = commands.add_parser("mailbox", help="members of function mailboxes (audited)")
    mailbox_commands = mailbox.add_subparsers(dest="mailbox_command", required=True, metavar="ACTION")
    members = mailbox_commands.add_parser("members", help="list the members of ADDRESS")
    members.add_argument("address", help="e-mail address of the function mailbox")
    _add_config_flags(members)
    for action, text in (
        ("add-member", "add the staff user EMAIL to"),
        ("remove-member", "remove EMAIL from"),
    ):
        change = mailbox_commands.add_parser(action, help=f"{text} the function mailbox ADDRESS")
        change.add_argument("address", help="e-mail address of the function mailbox")
        change.add_argument("email", help="e-mail address of the staff user")
        _add_config_flags(change)

    manifests = commands.add_parser("manifests", help="the app packages administrators install (build)")
    manifest_commands = manifests.add_subparsers(dest="manifests_command", required=True, metavar="ACTION")
    build = manifest_commands.add_parser(
        "build",
        help="write DIR/teams-app.zip (Teams app with the Outlook add-in) and DIR/outlook-manifest.xml"
        " from the templates in manifests/ and the configuration",
    )
    build.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write the packages to"
    )
    _add_config_flags(build)

    bench = commands.add_parser("bench", help="run a benchmark and print one JSON line")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True, metavar="WHAT")
    crypto = bench_commands.add_parser("crypto", help="attachment encryption throughput")
    crypto.add_argument("--size-mb", type=int, default=256, metavar="N", help="megabytes to encrypt")
    api = bench_commands.add_parser("api", help="send and listing throughput of the REST API")
    api.add_argument("--cases", type=int, default=100_000, metavar="N", help="cases to seed before timing")
    api.add_argument("--sends", type=int, default=3000, metavar="N", help="messages sent and timed")
    links = bench_commands.add_parser(
        "links", help="link opens per second at LoA1 and LoA2 (SMS code included), beside /healthz"
    )
    links.add_argument("--opens", type=int, default=200, metavar="N", help="opens at each level")
    links.add_argument("--clients", type=int, default=8, metavar="N", help="concurrent browsers")
    teams = bench_commands.add_parser(
        "teams", help="Teams card actions per second (a function mailbox's inbox page), beside /healthz"
    )
    teams.add_argument("--cases", type=int, default=100_000, metavar="N", help="cases to seed before timing")
    teams.add_argument("--actions", type=int, default=2000, metavar="N", help="card actions timed")
    teams.add_argument("--clients", type=int, default=8, metavar="N", help="concurrent Teams clients")
    teams.add_argument(
        "--health-requests", type=int, default=2000, metavar="N", help="/healthz requests timed"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except config.ConfigError as exc:
        print(f"sigill: configuration error: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"sigill: {exc}", file=sys.stderr)
        return 1
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
        case "worker":
            from sigill import delivery

            return asyncio.run(delivery.worker_command(settings))
        case "keys":
            from sigill import key_commands

            return asyncio.run(key_commands.keys(settings, args.keys_command, getattr(args, "kek", None)))
        case "blobs":
            from sigill import key_commands

            return asyncio.run(key_commands.sweep_blobs(settings, args.older_than))
        case "audit":
            from sigill import audit_commands

            return asyncio.run(audit_commands.audit(settings, args.audit_command))
        case "dev":
            return asyncio.run(commands.dev_token(settings, args.email, loa=args.loa, admin=args.admin))
        case "manifests":
            return _build_manifests(settings, args.out)
        case "mailbox":
            from sigill import mailbox_commands

            return asyncio.run(
                mailbox_commands.mailbox(
                    settings, args.mailbox_command, args.address, getattr(args, "email", None)
                )
            )
    return 2


def _build_manifests(settings: config.Settings, out: Path) -> int:
    from sigill import manifests

    try:
        built = manifests.build(settings, out)
    except OSError as exc:
        print(f"sigill: cannot write the package to {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for path in built.files:
        print(path)
    for note in built.notes:
        print(f"sigill: {note}", file=sys.stderr)
    return 0


def _bench(args: argparse.Namespace) -> int:
    result: dict[str, Any]
    if args.bench_command == "crypto":
        from bench import crypto_bench

        result = crypto_bench.run(args.size_mb)
    elif args.bench_command == "links":
        from bench import link_bench

        result = link_bench.run(opens=args.opens, clients=args.clients)
    elif args.bench_command == "teams":
        from bench import teams_bench

        result = teams_bench.run(
            cases=args.cases, actions=args.actions, clients=args.clients, health_requests=args.health_requests
        )
    else:
        from bench import api_bench

        result = api_bench.run(cases=args.cases, sends=args.sends)
    print(json.dumps(result))
    return 0
