"""File modes: everything the app writes is for its own user only (files 0600, folders 0700).

The instance folder holds the instance secret (which opens the CA keys and signs sessions), the
database, stored documents, the outbox's e-mails with live reset links and the backups: under the
usual umask 022 they would all be readable by every account of the server. The process umask is
therefore set to 077 when the app is created, and the files that matter most are also given
their mode explicitly, whatever the umask of the process that imported us.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700

logger = logging.getLogger("convsign")


def restrict_process() -> None:
    """New files and folders of this process: owner only."""
    os.umask(PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """Give a file this app wrote mode 0600 (explicitly: the umask may have been changed since)."""
    os.chmod(path, FILE_MODE)


def exposed(folder: Path) -> bool:
    """Whether other accounts of the server may read or enter `folder`."""
    return bool(stat.S_IMODE(folder.stat().st_mode) & 0o077)


def warn_if_exposed(instance: Path) -> bool:
    """Log a warning when the instance folder is open to others; True if it is."""
    if not exposed(instance):
        return False
    logger.warning(
        "Le dossier d'instance %s est lisible par d'autres comptes (mode %o) : il contient le secret "
        "de l'instance, la base et les documents. Corrigez-le : chmod 700 %s",
        instance, stat.S_IMODE(instance.stat().st_mode), instance,
    )
    return True
