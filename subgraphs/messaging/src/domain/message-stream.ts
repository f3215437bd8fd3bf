import type { RealtimeEvent } from '@fitnexa/shared/realtime';
import type { MessageRecord } from '../data/messages';
import { MESSAGE_NEW, messagePayload, type MessagePayload } from './realtime';

/**
 * The most messages a stream replays after its cursor (or fills into one gap of its live
 * stream): beyond it the stream ends with BAD_USER_INPUT on its cursor, and the client reads the
 * conversation with `messages` before it asks again after the newest.
 */
export const MAX_REPLAYED_MESSAGES = 500;

/** Reads the conversation's messages with a sequence in (after, upTo], in sequence. */
export type SequenceReader = (after: number, upTo: number) => Promise<MessageRecord[]>;

/**
 * A conversation's events with its `message:new` ones in sequence, each once and none left out:
 * `replay` (the stored messages after `position`, read after `live` was subscribed) first, then
 * `live`, where a message already delivered is dropped and one that comes before its predecessors
 * (published late by another instance, or never: its instance died between commit and publish)
 * first has the missing ones read from the database. They are there: a conversation's messages
 * commit in sequence order (MessageRepository.send). Other events pass in the order they came.
 * GraphQL's `messageAdded` and socket.io's `/chat` both deliver through it. `return()` goes
 * straight to `live`.
 */
export function inSequence(
  live: AsyncIterableIterator<RealtimeEvent<unknown>>,
  room: string,
  position: number,
  replay: readonly MessageRecord[],
  read: SequenceReader,
  tooMany: () => Error,
): AsyncIterableIterator<RealtimeEvent<unknown>> {
  const newMessage = (message: MessageRecord): RealtimeEvent<MessagePayload> => ({
    room,
    name: MESSAGE_NEW,
    payload: messagePayload(message),
  });
  const isMessage = (event: RealtimeEvent<unknown>) => event.name === MESSAGE_NEW;
  // Absent in what an instance from before sequences publishes (a rolling deploy): such a message
  // passes as it comes, and the next one with a sequence is taken as the position, unfilled.
  const sequenceOf = (event: RealtimeEvent<unknown>): number | undefined =>
    (event.payload as Partial<MessagePayload>).sequence;
  let delivered: number | undefined = position;
  const ready: RealtimeEvent<unknown>[] = replay.map(newMessage);
  const iterator: AsyncIterableIterator<RealtimeEvent<unknown>> = {
    async next() {
      for (;;) {
        const event = ready.shift();
        if (event) {
          if (isMessage(event)) {
            const sequence = sequenceOf(event);
            if (sequence !== undefined && delivered !== undefined && sequence <= delivered) {
              continue;
            }
            delivered = sequence;
          }
          return { done: false, value: event };
        }
        const result = await live.next();
        if (result.done) return result;
        const arrived = result.value;
        const sequence = isMessage(arrived) ? sequenceOf(arrived) : undefined;
        if (sequence !== undefined && delivered !== undefined) {
          if (sequence <= delivered) continue;
          const missing = sequence - delivered - 1;
          if (missing > MAX_REPLAYED_MESSAGES) {
            await live.return?.();
            throw tooMany();
          }
          if (missing > 0) ready.push(...(await read(delivered, sequence - 1)).map(newMessage));
        }
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
