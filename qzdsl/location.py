"""Where a batch file is: a path on this machine, or a URI of a Hadoop file system.

`qzdsl eval --batch FILE --out RESULT` and `qzdsl simulate FILE` take either. A *URI* is a
scheme of two or more letters followed by `:/` — `hdfs://nn/p`, `s3a://bucket/p`,
`abfss://container@account.dfs.core.windows.net/p`, `gs://bucket/p`, `viewfs://cluster/p`,
`file:///p` — so that a local name with a colon in it (`a:b.csv`) stays a local name.

A `file:` URI names a local path and is treated as one everywhere (the checks of
`qzdsl.output`, the atomic replace): `file:/p`, `file:///p` and `file://localhost/p` are
the path `/p`, read as Hadoop reads them — without percent-decoding (`file:///a%20b` is a
file named `a%20b`, as Spark would read it). Any other URI is passed to Spark unchanged;
DuckDB reads and writes local files only, and a URI given to it is refused with a message
that names `--engine spark`.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):/")
# file:/p, file:///p, file://localhost/p — not file://host/p (a file on another host).
_FILE = re.compile(r"^file:(?://(?:localhost)?(?=/)|(?!//))(/.*)$", re.IGNORECASE)

# DuckDB reads no remote file system here (its own http/S3 readers download an extension
# from the network), so a URI goes to Spark (`batch.require_uris`, "batch.uri_on_duckdb").


def scheme(text: str | Path) -> str | None:
    """The scheme of a URI, lower-case; None for a local path."""
    if isinstance(text, Path):
        return None
    match = _URI.match(text)
    return match.group(1).lower() if match else None


def local(text: str | Path) -> Path | None:
    """The local path `text` names (a plain path or a `file:` URI); None for a URI of any
    other file system."""
    if isinstance(text, Path):
        return text
    found = scheme(text)
    if found is None:
        return Path(text)
    if found == "file":
        match = _FILE.match(text)
        return Path(match.group(1)) if match else None
    return None


def is_remote(text: str | Path | None) -> bool:
    """Whether `text` is a URI that only Spark reads (not a local path or `file:` URI)."""
    return text is not None and local(text) is None


def suffix(text: str | Path) -> str:
    """The lower-case suffix of the file name (`.parquet`), for a path or a URI."""
    if local(text) is not None:
        return Path(local(text)).suffix.lower()
    return PurePosixPath(_path_part(str(text))).suffix.lower()


def with_name(text: str | Path, name: str) -> str | Path:
    """`text` with its last segment replaced by `name`: a sibling, for a path or a URI."""
    if isinstance(text, Path):
        return text.with_name(name)
    if local(text) is not None and scheme(text) is None:
        return Path(text).with_name(name)
    head, _, _ = str(text).rstrip("/").rpartition("/")
    return f"{head}/{name}"


def stem(text: str | Path) -> str:
    """The file name without its suffix, for a path or a URI."""
    return PurePosixPath(_path_part(str(text))).stem


def key(text: str | Path) -> str:
    """A comparable form of a location: a local file's resolved path, a URI as written
    (less a trailing slash). Two different keys may still be one file (another name of
    the same host); `qzdsl.output.check_target` and the Spark engine check that."""
    path = local(text)
    if path is not None:
        return str(path.resolve())
    return str(text).rstrip("/")


def _path_part(text: str) -> str:
    """The path of a URI (what follows the authority), or the text of a plain path."""
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://[^/]*(/.*)?$", text)
    if match:
        return match.group(1) or "/"
    match = _URI.match(text)
    return text[len(match.group(1)) + 1:] if match else text
