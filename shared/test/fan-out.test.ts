import { createOutbox } from '../src/realtime/fan-out';
import { nextFrame, nextToManyFrame, parseNextToMany } from '../src/realtime';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the frames of a connection shared by the gateway’s callers', () => {
  it('when one payload reaches several subscriptions in a turn, then it is written once, naming them all, after the turn', async () => {
    const written: string[] = [];
    const outbox = createOutbox((frame) => written.push(frame));

    outbox.add('a', '{"data":{"n":1}}');
    outbox.add('b', '{"data":{"n":1}}');
    outbox.add('c', '{"data":{"n":2}}');
    expect(written).toEqual([]);
    await turn();

    expect(written).toEqual([
      nextToManyFrame(['a', 'b'], '{"data":{"n":1}}'),
      nextFrame('c', '{"data":{"n":2}}'),
    ]);
  });

  it('when a subscription’s earlier event comes after a shared payload was gathered, then it does not join that payload out of order', async () => {
    const written: string[] = [];
    const outbox = createOutbox((frame) => written.push(frame));

    // `a` is live and gets the second message; `b`, catching up, gets the first, then the second.
    outbox.add('a', '{"m":2}');
    outbox.add('b', '{"m":1}');
    outbox.add('b', '{"m":2}');
    outbox.flush();

    expect(written).toEqual([
      nextFrame('a', '{"m":2}'),
      nextFrame('b', '{"m":1}'),
      nextFrame('b', '{"m":2}'),
    ]);
  });

  it('when a next-to-many frame is read, then its ids and its payload’s JSON come out as written; any other message is not one', () => {
    const payload = '{"data":{"body":"],\\"payload\\":"}}';
    expect(parseNextToMany(nextToManyFrame(['x', 'y'], payload))).toEqual({
      ids: ['x', 'y'],
      payloadJson: payload,
    });
    expect(parseNextToMany(nextFrame('x', payload))).toBeUndefined();
  });

  it.each([
    ['no ids', '{"type":"next-to-many","ids":[],"payload":{}}'],
    ['an id that is not a string', '{"type":"next-to-many","ids":[1],"payload":{}}'],
    ['an empty id', '{"type":"next-to-many","ids":["x",""],"payload":{}}'],
    ['no payload', '{"type":"next-to-many","ids":["x"]}'],
    ['spaces', '{"type":"next-to-many","ids":[ "x" ],"payload":{}}'],
    ['a cut frame', '{"type":"next-to-many","ids":["x"'],
  ])('when a next-to-many frame has %s, then reading it throws', (_case, frame) => {
    expect(() => parseNextToMany(frame)).toThrow('Malformed next-to-many frame');
  });
});
