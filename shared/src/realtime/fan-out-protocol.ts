// The gateway's subscription connections to a subgraph, shared by its callers (decision 0043):
// graphql-ws (`graphql-transport-ws`) with three additions, used only on a connection that carries
// the gateway's service credential and asks for them.

/**
 * `connectionParams` entry by which the gateway asks for a connection shared by its callers: no
 * caller at the connection, each subscription names its own, and the subgraph may answer many of
 * them with one `next-to-many` frame.
 */
export const CALLERS_PARAM = 'fitnexa-callers';
export const CALLERS_PER_SUBSCRIPTION = 'per-subscription';

/**
 * The subscribe payload's `extensions` entry naming its caller on such a connection: the caller's
 * own connection parameters, `{ authorization: 'Bearer …' }` (none: signed out).
 */
export const CALLER_EXTENSION = 'caller';

/** One event's `next` for several subscriptions of the connection, its payload written once. */
export const NEXT_TO_MANY = 'next-to-many';

/** graphql-ws's own `next` message, with a payload serialised already. */
export const nextFrame = (id: string, payload: string) =>
  `{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`;

/** The frame of a `next` for every subscription in `ids`; `payload` is the result's JSON. */
export const nextToManyFrame = (ids: readonly string[], payload: string) =>
  `{"type":"${NEXT_TO_MANY}","ids":${JSON.stringify(ids)},"payload":${payload}}`;

const FRAME_START = `{"type":"${NEXT_TO_MANY}",`;

/** A `next-to-many` frame as read. */
export interface NextToMany {
  ids: string[];
  /** The payload's JSON as it came: each subscription's `next` is parsed on its own. */
  payloadJson: string;
}

const IDS_END = '],"payload":';

/**
 * `data` as a `next-to-many` frame, or undefined when it is another message (graphql-ws's own).
 * The ids are read and checked; the payload is left as text, for each subscription's `next`
 * (whose parser checks it). A frame that starts as one but is not what `nextToManyFrame` writes
 * throws, as graphql-ws's parser throws on a bad message.
 */
export function parseNextToMany(data: string): NextToMany | undefined {
  if (!data.startsWith(FRAME_START)) return undefined;
  const idsStart = FRAME_START.length + '"ids":'.length;
  const idsEnd = data.indexOf(IDS_END, idsStart) + 1;
  const idsJson = data.slice(idsStart, idsEnd);
  let ids: unknown;
  try {
    ids = idsEnd > 0 && data.endsWith('}') ? JSON.parse(idsJson) : undefined;
  } catch {
    ids = undefined;
  }
  if (
    !Array.isArray(ids) ||
    !ids.length ||
    // graphql-ws's `next` needs a non-empty string id.
    !ids.every((id) => typeof id === 'string' && id !== '') ||
    !data.startsWith(`${FRAME_START}"ids":${idsJson}`) ||
    JSON.stringify(ids) !== idsJson
  ) {
    throw new Error(`Malformed ${NEXT_TO_MANY} frame`);
  }
  return { ids: ids as string[], payloadJson: data.slice(idsEnd + IDS_END.length - 1, -1) };
}
