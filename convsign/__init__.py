"""convsign: co-signing of partnership conventions with PAdES signatures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from convsign import config as config_module
from convsign import filemodes


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration layers, extensions, blueprints, commands.

    `config` overrides every other layer; its INSTANCE_PATH (tests) or the CONVSIGN_INSTANCE_PATH
    variable chooses the instance folder.
    """
    filemodes.restrict_process()
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("CONVSIGN_INSTANCE_PATH")
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else str(root / "instance"),
        instance_relative_config=True,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    Path(app.instance_path).mkdir(mode=filemodes.DIRECTORY_MODE, parents=True, exist_ok=True)
    filemodes.warn_if_exposed(Path(app.instance_path))
    config_module.load_config(app, config)

    from convsign import web

    web.init_app(app)
    return app
