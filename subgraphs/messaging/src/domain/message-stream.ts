import type { RealtimeEvent } from '@fitnexa/shared/realtime';
import type { MessageRecord } from '../data/messages';
import { messageOfPayload, type MessagePayload } from './realtime';

/**
 * The most messages a subscription replays after its cursor (or fills into one gap of its live
 * stream): beyond it the subscription ends with BAD_USER_INPUT on `after`, and the client reads
 * the conversation with `messages` before it subscribes after the newest.
 */
export const MAX_REPLAYED_MESSAGES = 500;

/** Reads the conversation's messages with a sequence in (after, upTo], in sequence. */
export type SequenceReader = (after: number, upTo: number) => Promise<MessageRecord[]>;

/**
 * A conversation's messages in sequence, each once and none left out: `replay` (the stored
 * messages after `position`, read after `live` was subscribed) first, then `live`, where a
 * message already delivered is dropped and one that comes before its predecessors (published
 * late by another instance, or never: its instance died between commit and publish) first has
 * the missing ones read from the database. They are there: a conversation's messages commit in
 * sequence order (MessageRepository.send). `return()` goes straight to `live`.
 */
export function inSequence(
  live: AsyncIterableIterator<RealtimeEvent<MessagePayload>>,
  position: number,
  replay: readonly MessageRecord[],
  read: SequenceReader,
  tooMany: () => Error,
): AsyncIterableIterator<MessageRecord> {
  let delivered = position;
  const ready: MessageRecord[] = [...replay];
  const iterator: AsyncIterableIterator<MessageRecord> = {
    async next() {
      for (;;) {
        const message = ready.shift();
        if (message) {
          if (message.sequence <= delivered) continue;
          delivered = message.sequence;
          return { done: false, value: message };
        }
        const result = await live.next();
        if (result.done) return result;
        const arrived = messageOfPayload(result.value.payload);
        if (arrived.sequence <= delivered) continue;
        const missing = arrived.sequence - delivered - 1;
        if (missing > MAX_REPLAYED_MESSAGES) {
          await live.return?.();
          throw tooMany();
        }
        if (missing > 0) ready.push(...(await read(delivered, arrived.sequence - 1)));
        ready.push(arrived);
      }
    },
    async return() {
      ready.length = 0;
      await live.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await iterator.return!();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
