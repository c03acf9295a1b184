"""Finding the export files and checking that each is what it claims to be.

Everything here runs before the database is touched and reads only the first
block of each file, so a bad export is refused in milliseconds. Messages name
the file and the problem, never a cell value.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PlanAnalyticsError
from .formats import FILE_SUFFIXES, RECORD_TYPES, RecordType

CSV_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SNIFF_BYTES = 1 << 16
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
PARQUET_MAGIC = b"PAR1"


@dataclass
class ExportFile:
    path: Path
    record_type: RecordType
    kind: str  # "csv", "csv.gz", "parquet" or "jsonl"
    # Column names as the file spells them, in file order (CSV: by position).
    source_columns: list[str] = field(default_factory=list)
    delimiter: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def position_word(self) -> str:
        """Parquet has rows, text files have lines."""
        return "row" if self.kind == "parquet" else "line"

    def used_positions(self) -> dict[str, int]:
        """canonical name -> position of the source column; a repeated name counts once."""
        positions: dict[str, int] = {}
        for index, source in enumerate(self.source_columns):
            canonical = normalize_column_name(source)
            if canonical in self.record_type.column_names and canonical not in positions:
                positions[canonical] = index
        return positions

    def ignored_columns(self) -> list[str]:
        used = set(self.used_positions().values())
        return [
            normalize_column_name(source) or f"(unnamed column {index + 1})"
            for index, source in enumerate(self.source_columns)
            if index not in used
        ]

    def fingerprint(self) -> Fingerprint:
        """One pass over the bytes: the digest, and the newline count that tells the
        reader whether any record can span lines. (The loader runs this in a thread
        while DuckDB reads the file; hashlib releases the GIL.)"""
        digest = hashlib.sha256()
        newlines, last = 0, b""
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
                newlines += block.count(b"\n")
                last = block[-1:]
        plain_text = self.kind in ("csv", "jsonl")
        return Fingerprint(digest.hexdigest(), newlines if plain_text else None, last == b"\n")


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    # Line feeds in the file as stored; None for compressed or binary files.
    newlines: int | None
    ends_with_newline: bool

    def records_on_one_line(self, records: int) -> bool:
        """True when `records` records (header included) used every line feed as a
        terminator: then no record spans lines and no blank line shifts the numbering."""
        if self.newlines is None:
            return False
        terminators = records if self.ends_with_newline else records - 1
        return self.newlines == max(terminators, 0)


def normalize_column_name(name: str) -> str:
    """'  Session ID ' -> 'session_id'."""
    return "_".join(name.strip().lstrip("\ufeff").strip().lower().split())


def record_type_of(file_name: str) -> tuple[str, str] | None:
    """'sessions.csv.gz' -> ('sessions', 'csv.gz'); None for files outside the format."""
    lowered = file_name.lower()
    for suffix in FILE_SUFFIXES:
        if lowered.endswith(suffix):
            stem = file_name[: -len(suffix)]
            if stem in RECORD_TYPES:
                return stem, suffix.lstrip(".")
    return None


def discover(data_dir: Path) -> tuple[list[ExportFile], list[str]]:
    """The export files of a folder (in a stable order) and notices about the rest."""
    if not data_dir.exists():
        raise PlanAnalyticsError(f"The data folder {data_dir} does not exist.")
    if not data_dir.is_dir():
        raise PlanAnalyticsError(f"{data_dir} is not a folder.")
    by_type: dict[str, ExportFile] = {}
    notices: list[str] = []
    for path in sorted(data_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        found = record_type_of(path.name)
        if found is None:
            notices.append(f"{path.name}: not an export file name; ignored.")
            continue
        type_name, kind = found
        if type_name in by_type:
            raise PlanAnalyticsError(
                f"{path.name}: the folder holds two files for {type_name} "
                f"({by_type[type_name].name} and {path.name}); keep one."
            )
        by_type[type_name] = ExportFile(path, RECORD_TYPES[type_name], kind)
    order = list(RECORD_TYPES)
    files = sorted(by_type.values(), key=lambda f: order.index(f.record_type.name))
    return files, notices


# --- what the first block of a file says -------------------------------------------------


def _first_block(export: ExportFile) -> bytes:
    if export.path.stat().st_size == 0:
        raise PlanAnalyticsError(f"{export.name}: the file is empty.")
    if export.kind != "csv.gz":
        with export.path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    try:
        with gzip.open(export.path, "rb") as handle:
            block = handle.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error):
        raise PlanAnalyticsError(f"{export.name}: the file is not gzip-compressed.") from None
    if not block:
        raise PlanAnalyticsError(f"{export.name}: the file is empty.")
    return block


def _text_of(export: ExportFile, block: bytes) -> str:
    """The first block as text, or the sentence that says why it is not UTF-8 text."""
    if block.startswith(UTF16_BOMS) or _looks_like_utf16(block):
        raise PlanAnalyticsError(f"{export.name}: the file is UTF-16 text; export it as UTF-8.")
    if b"\x00" in block:
        raise PlanAnalyticsError(f"{export.name}: the file holds binary data, not text.")
    if block.startswith(UTF8_BOM):
        block = block[len(UTF8_BOM) :]
    try:
        # The block may end inside a multi-byte character; that is not an error.
        return block.decode("utf-8") if len(block) < SNIFF_BYTES - 3 else _decode_prefix(block)
    except UnicodeDecodeError as exc:
        line = block[: exc.start].count(b"\n") + 1
        raise PlanAnalyticsError(f"{export.name}: the file is not UTF-8 text (line {line}).") from None


def _decode_prefix(block: bytes) -> str:
    for cut in range(4):
        try:
            return block[: len(block) - cut].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(block) - 4:
                raise
    return block.decode("utf-8")


def _looks_like_utf16(block: bytes) -> bool:
    sample = block[:200]
    if len(sample) < 4:
        return False
    zeros_odd = sample[1::2].count(0) / len(sample[1::2])
    zeros_even = sample[0::2].count(0) / len(sample[0::2])
    return max(zeros_odd, zeros_even) > 0.4 and min(zeros_odd, zeros_even) < 0.1


def _first_line(text: str) -> str:
    # A bare CR ends a line too (csv.reader refuses a line with one inside).
    return text.split("\n", 1)[0].split("\r", 1)[0]


def _header_fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'), [])


def _choose_delimiter(export: ExportFile, header_line: str) -> tuple[str, list[str]]:
    rt = export.record_type
    required = set(rt.required_columns)
    candidates = {d: _header_fields(header_line, d) for d in CSV_DELIMITERS}
    complete = [d for d, names in candidates.items() if required <= {normalize_column_name(n) for n in names}]
    if len(complete) == 1:
        return complete[0], candidates[complete[0]]
    if len(complete) > 1:
        spelled = " and ".join(CSV_DELIMITERS[d] for d in complete)
        raise PlanAnalyticsError(
            f"{export.name}: the header can be split by {spelled} alike, so the delimiter is ambiguous."
        )
    _refuse_header(export, list(candidates.values()))
    raise AssertionError("unreachable")


def _refuse_header(export: ExportFile, readings: list[list[str]]) -> None:
    """No reading of the header gives every required column: say which problem it is."""
    rt = export.record_type
    best = max(readings, key=lambda names: len({normalize_column_name(n) for n in names} & set(rt.column_names)))
    present = {normalize_column_name(n) for n in best}
    if not present & set(rt.column_names):
        raise PlanAnalyticsError(
            f"{export.name}: the first line is not a header (it names none of the {rt.name} columns)."
        )
    missing = [c for c in rt.required_columns if c not in present]
    if len(missing) == 1:
        raise PlanAnalyticsError(f"{export.name}: required column {missing[0]} is missing.")
    raise PlanAnalyticsError(f"{export.name}: required columns {', '.join(missing)} are missing.")


def inspect_csv(export: ExportFile) -> None:
    text = _text_of(export, _first_block(export))
    header_line = _first_line(text)
    if not header_line.strip():
        raise PlanAnalyticsError(f"{export.name}: the first line is empty, so the file has no header.")
    export.delimiter, export.source_columns = _choose_delimiter(export, header_line)


def inspect_jsonl(export: ExportFile) -> None:
    text = _text_of(export, _first_block(export))
    first = _first_line(text).strip()
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        record = None
    if not isinstance(record, dict):
        raise PlanAnalyticsError(f"{export.name}: line 1 is not a JSON object, so this is not a JSONL file.")


def inspect_parquet(export: ExportFile) -> None:
    block = _first_block(export)
    if not block.startswith(PARQUET_MAGIC):
        raise PlanAnalyticsError(f"{export.name}: the file is not a Parquet file.")


def check_columns(export: ExportFile) -> None:
    """For JSONL and Parquet, whose column names come from the reader."""
    present = {normalize_column_name(n) for n in export.source_columns}
    if not set(export.record_type.required_columns) <= present:
        _refuse_header(export, [export.source_columns])


def inspect(export: ExportFile) -> None:
    """Refuse a file that is not what its name claims (before any row is read)."""
    {"csv": inspect_csv, "csv.gz": inspect_csv, "jsonl": inspect_jsonl, "parquet": inspect_parquet}[
        export.kind
    ](export)
