"""Owner-only, atomic report files: a reader never sees half a page, others never see any."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create a folder (and its missing parents) readable by its owner only."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it becomes `target` (0600)."""
    target = Path(target)
    # The temporary name keeps the suffix: papermill warns about a notebook not named .ipynb.
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.tmp-", suffix=target.suffix)
    os.close(handle)
    try:
        yield Path(temp_name)
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


def write_text_atomic(target: Path, text: str) -> Path:
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8")
    return Path(target)


@contextlib.contextmanager
def atomic_dir(target: Path):
    """Yield a fresh private folder beside `target`; on success it replaces `target` whole,
    so pages of an earlier run (a provider since removed) never linger."""
    target = Path(target)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    staging.chmod(0o700)
    try:
        yield staging
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
            os.replace(target, old / target.name)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
