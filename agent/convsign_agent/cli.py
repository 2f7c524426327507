"""The command line: `convsign-agent list`, `convsign-agent sign` (headless, for scripts)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from convsign_agent import token
from convsign_agent.client import Server, ServerRefused

CHANGED = 409


def sign(args: argparse.Namespace) -> str:
    """Prepare on the server, sign on the token, finish; once more if the document changed meanwhile."""
    pin = os.environ.get(args.pin_env)
    if pin is None:
        raise token.TokenError(f"La variable d'environnement {args.pin_env} (le code PIN) n'est pas définie.")
    mine, others = token.choose(token.list_certificates(args.module, args.token_label), args.key_label)
    server = Server(args.server, args.api_token)
    for attempt in range(2):
        seen = server.document_sha256(args.convention)
        preparation = server.prepare(args.convention, args.slot, seen, [mine, *others])
        signature = token.sign_digest(args.module, args.token_label, mine, pin=pin, digest=preparation.digest,
                                      algorithm=preparation.algorithm)
        try:
            return server.finish(args.convention, args.slot, preparation, signature)
        except ServerRefused as refusal:
            if refusal.status != CHANGED or attempt == 1:
                raise
    raise AssertionError("unreachable")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="convsign-agent", description="Agent local de signature convsign.")
    commands = main.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="Lister les certificats de la carte ou de la clé USB.")
    listing.add_argument("--module", required=True, help="Le module PKCS#11 (.so, .dll) de la carte.")
    listing.add_argument("--token-label")
    headless = commands.add_parser("sign", help="Signer un signataire d'une convention, sans navigateur.")
    headless.add_argument("--server", required=True, help="L'adresse du serveur convsign.")
    headless.add_argument("--api-token", required=True, help="Un jeton personnel d'accès à l'API (cvs_…).")
    headless.add_argument("--module", required=True, help="Le module PKCS#11 (.so, .dll) de la carte.")
    headless.add_argument("--token-label", required=True)
    headless.add_argument("--key-label", help="L'étiquette du certificat s'il y en a plusieurs.")
    headless.add_argument("--pin-env", required=True, help="La variable d'environnement qui contient le code PIN.")
    headless.add_argument("--convention", required=True, type=int)
    headless.add_argument("--slot", required=True, type=int)
    serve = commands.add_parser("serve", help="Servir la page de signature sur 127.0.0.1 (navigateur).")
    serve.add_argument("--server", required=True, help="L'adresse du serveur convsign à qui répondre.")
    serve.add_argument("--module", required=True)
    serve.add_argument("--token-label")
    serve.add_argument("--port", type=int, default=8731)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "list":
            certificates = token.list_certificates(args.module, args.token_label)
            print(json.dumps([c.describe() for c in certificates], ensure_ascii=False, indent=2))
        elif args.command == "sign":
            print(sign(args))
        else:
            from convsign_agent import local_server

            local_server.run(args)
    except (token.TokenError, ServerRefused) as failure:
        print(str(failure), file=sys.stderr)
        return 1
    return 0
