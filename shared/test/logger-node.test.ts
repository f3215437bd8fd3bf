import Transport from 'winston-transport';
import { createLogger } from '../src/logger/node';

type Entry = Record<string, unknown>;

/** A transport at `level` that keeps what it is given. */
class KeepingTransport extends Transport {
  readonly entries: Entry[] = [];

  override log(info: Entry, done: () => void) {
    this.entries.push(info);
    done();
  }
}

/** Meta whose field counts how often something read it (a format, a serialiser). */
function watchedMeta() {
  const meta = { reads: 0 } as { reads: number; requestPath?: string };
  Object.defineProperty(meta, 'requestPath', {
    enumerable: true,
    get() {
      meta.reads += 1;
      return '/graphql';
    },
  });
  return meta;
}

/** An `info` logger (console silent) with one more transport, at `level`, that keeps its entries. */
function infoLoggerKeepingAt(level: string) {
  const kept = new KeepingTransport({ level });
  const logger = createLogger({
    service: 'gateway',
    level: 'info',
    silent: true,
    transports: [kept],
  });
  return { logger, kept };
}

describe('the node logger', () => {
  it('when an entry is below the level of every transport, then nothing formats or writes it', () => {
    const { logger, kept } = infoLoggerKeepingAt('info');
    const meta = watchedMeta();

    logger.http('request', meta);
    logger.debug('detail', meta);
    logger.child({ component: 'x' }).http('request', meta);

    expect(meta.reads).toBe(0);
    expect(kept.entries).toHaveLength(0);
  });

  it('when one transport takes a level the console does not, then its entries reach that transport, formatted', () => {
    const { logger, kept } = infoLoggerKeepingAt('http');

    logger.http('request', { method: 'POST' });
    logger.child({ component: 'pipeline' }).warn('slow', { ms: 900 });
    logger.debug('detail');

    expect(kept.entries).toEqual([
      expect.objectContaining({
        level: 'http',
        message: 'request',
        method: 'POST',
        service: 'gateway',
        timestamp: expect.any(String),
      }),
      expect.objectContaining({ level: 'warn', message: 'slow', ms: 900, component: 'pipeline' }),
    ]);
  });
});
