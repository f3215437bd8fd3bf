/** What becomes of one value of a live stream: passed on, skipped, or the end of the stream. */
export type StreamVerdict = 'pass' | 'skip' | 'end';

/**
 * `source` as `judge` rules on each value; 'end' unsubscribes (e.g. when the subscriber may no
 * longer see the stream). `return()` goes straight to the source, which ends a pending `next()`
 * at once (an async generator would wait for one more event before it let go).
 */
export function judged<T>(
  source: AsyncIterableIterator<T>,
  judge: (value: T) => StreamVerdict | Promise<StreamVerdict>,
): AsyncIterableIterator<T> {
  const end = async (): Promise<IteratorResult<T>> => {
    await source.return?.();
    return { done: true, value: undefined };
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done) return result;
        const verdict = await judge(result.value);
        if (verdict === 'end') return end();
        if (verdict === 'pass') return result;
      }
    },
    return: end,
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
