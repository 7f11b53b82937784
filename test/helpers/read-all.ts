import type { SequencedReaderOptions } from '../../src/reader/options.js';
import { readSequenced } from '../../src/reader/sequenced-reader.js';
import type { SequencedRecord } from '../../src/reader/window.js';

/** Everything `readSequenced` yields, and the error it ends with (null when it ends normally). */
export async function readAll(o: SequencedReaderOptions): Promise<{ records: SequencedRecord[]; error: unknown }> {
  const records: SequencedRecord[] = [];
  try {
    for await (const r of readSequenced(o)) records.push(r);
    return { records, error: null };
  } catch (error) {
    return { records, error };
  }
}
