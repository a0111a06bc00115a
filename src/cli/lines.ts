import { StringDecoder } from 'node:string_decoder';

/** Longest run of text without a newline held in memory before it is passed on as a line. */
export const MAX_PENDING_CHARS = 1 << 20;

/**
 * A `stream.pipeline` stage that turns chunks of UTF-8 into lines (without their `\n` or
 * `\r\n`). It pulls one chunk at a time, so a slow consumer holds back the source
 * (backpressure). A line longer than `maxPendingChars` is passed on in pieces, which
 * `splitMessage` would have split anyway. The last line is passed on even without a newline.
 *
 * @example
 * await pipeline(process.stdin, splitLines, async (lines) => { for await (const l of lines) … })
 */
export async function* splitLines(
  source: AsyncIterable<Buffer | string>,
  maxPendingChars = MAX_PENDING_CHARS,
): AsyncGenerator<string> {
  for await (const batch of splitLineBatches(source, maxPendingChars)) yield* batch;
}

/**
 * Like `splitLines`, but passes on the lines each chunk completed as one array, so a consumer
 * can send a burst in few writes and still send a lone line (`tail -f`) at once.
 *
 * @example
 * await pipeline(process.stdin, splitLineBatches, async (batches) => { for await (const b of batches) … })
 */
export async function* splitLineBatches(
  source: AsyncIterable<Buffer | string>,
  maxPendingChars = MAX_PENDING_CHARS,
): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const batch: string[] = [];
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
      const end = nl > start && pending.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      batch.push(pending.slice(start, end));
      start = nl + 1;
    }
    pending = pending.slice(start);
    while (pending.length > maxPendingChars) {
      let cut = maxPendingChars;
      // Never cut a surrogate pair in two.
      if (/[\ud800-\udbff]/.test(pending[cut - 1]!)) cut -= 1;
      batch.push(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
    if (batch.length > 0) yield batch;
  }
  pending += decoder.end();
  if (pending.endsWith('\r')) pending = pending.slice(0, -1);
  if (pending !== '') yield [pending];
}
