import { open } from 'node:fs/promises';
import { type ReadRecord, parseRecord } from './record.js';

/** A record read from a `.jsonl` file, with the byte offset just past its line. */
export interface RecordAt {
  record: ReadRecord;
  /** Where the next line starts: resume a tail from here. */
  end: number;
}

const CHUNK = 1 << 20;

/**
 * Reads the complete lines of a `.jsonl` file from byte `start`, one chunk at a time, and
 * yields each archive record with the offset after it. A last line without its newline (being
 * written, or torn by a crash) is not yielded; lines that are not records are skipped.
 *
 * @example
 * for await (const { record } of readRecords('ops/2026-11-26.jsonl')) console.log(record.text)
 */
export async function* readRecords(path: string, start = 0): AsyncGenerator<RecordAt> {
  const file = await open(path, 'r');
  try {
    let position = start;
    let carry: Buffer = Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, CHUNK, position);
      if (bytesRead === 0) return;
      const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf;
      const length = carry.length > 0 ? data.length : bytesRead;
      const base = position - carry.length;
      let from = 0;
      for (let nl = data.indexOf(10, from); nl !== -1 && nl < length; nl = data.indexOf(10, from)) {
        const record = parseRecord(data.toString('utf8', from, nl));
        from = nl + 1;
        if (record) yield { record, end: base + from };
      }
      // Copy: `buf` is reused by the next read.
      carry = Buffer.from(data.subarray(from, length));
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}
