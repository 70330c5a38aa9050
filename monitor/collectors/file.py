"""A JSONL file that another system appends to, read from where the last poll stopped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from monitor.collectors.base import Batch, Collector, SourceState
from monitor.collectors.errors import SourceUnavailable
from monitor.errors import InputError
from monitor.records import PostRecord, record_from_dict
from monitor.storable import parse_json_line

LINES_PER_BATCH = 1000


class FileCollector(Collector):
    """New complete lines of a JSONL file; a file that shrank or was replaced is read anew."""

    kind = "file"

    def batches(self, state: SourceState) -> Iterator[Batch]:
        """One batch per thousand lines; each carries the byte offset after its last line."""
        path = self.tools.base_dir / self.source.address  # an absolute address stays as it is
        try:
            status = path.stat()
        except OSError as exc:
            raise SourceUnavailable(f"файл {path} недоступен: {exc.strerror}") from None
        cursor = state.cursor
        offset = cursor.get("offset", 0)
        if cursor.get("inode") != status.st_ino or status.st_size < offset:
            offset = 0  # a new file under the same name: stored lines are not stored twice
        records: list[PostRecord] = []
        with path.open("rb") as handle:
            handle.seek(offset)
            for line in iter(handle.readline, b""):
                if not line.endswith(b"\n"):
                    break  # still being written: read it next time
                number = offset
                offset += len(line)
                if line.strip():
                    records += self._record(line, number)
                if len(records) >= LINES_PER_BATCH:
                    yield self.batch(records, {"offset": offset, "inode": status.st_ino})
                    records = []
        yield self.batch(records, {"offset": offset, "inode": status.st_ino})

    def _record(self, line: bytes, at: int) -> list[PostRecord]:
        try:
            data = parse_json_line(line, first=True)
            record = record_from_dict(data, default_network="file", now=self.tools.now())
            return [replace(record, territory=record.territory or self.source.territory)]
        except InputError as exc:
            reason = str(exc)
        self.skip(f"байт {at}", reason)
        return []
