"""Where the renderers' Jinja2 environments keep compiled templates between reports.

Compiling the page's and the summary's templates was ~70 ms of every report;
Jinja2's own bytecode cache keeps them in the user's own folder of the
temporary folder, and compiles a template again when its source changed. A
cache that cannot be made or written is no cache: the outputs are the same.
"""

from __future__ import annotations

import contextlib

import jinja2
import jinja2.bccache

__all__ = ["template_cache"]


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's cache of compiled templates; a failure to read or write it is a miss."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)


def template_cache(directory: str | None = None) -> jinja2.BytecodeCache | None:
    """The cache of compiled templates (None when its folder cannot be made safely)."""
    try:
        return _TemplateCache(directory)
    except (OSError, RuntimeError):  # Jinja2 refuses a folder another user owns (RuntimeError)
        return None
