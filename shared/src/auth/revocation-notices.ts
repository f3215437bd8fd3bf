import { connectFailFast } from '../redis';

/** A revocation as it is written: the user and their new "valid from" instant (ms). */
export type RevocationListener = (userId: string, validFrom: number) => void;

/**
 * Which revocations a reader has been told of: every one written from `from` until `until` (ms,
 * this process's clock), without a gap.
 */
export interface NoticeCoverage {
  from: number;
  until: number;
}

export interface RevocationWatch {
  /**
   * What the notices cover so far; null while none flow (not subscribed, or the link broken). Read
   * at every check: the live coverage, not a copy.
   */
  coverage(): Readonly<NoticeCoverage> | null;
  stop(): void;
}

/** How often the notices' connection proves it is still live (see redisRevocationNotices). */
export const NOTICE_HEARTBEAT_MS = 100;

/**
 * Revocations as they are written, over Redis pub/sub on `channel` (the writer's script publishes
 * each one in the same step as it stores it). Pub/sub keeps nothing for a subscriber that is away,
 * so coverage starts anew at every (re)subscription; and a connection can die without a word, so a
 * PING goes every NOTICE_HEARTBEAT_MS: Redis answers it after every message published before, so
 * its answer extends the coverage to the moment it was sent. A reader trusting what it read for as
 * long as the notices cover it is then as safe as re-reading every `freshForMs` (decision 0044).
 */
export async function redisRevocationNotices({ url, channel }: { url: string; channel: string }) {
  const listeners = new Set<RevocationListener>();
  let coverage: NoticeCoverage | null = null;
  let pinging = false;
  // Subscribed again by `subscribe` below, which is what starts a coverage. The store's own
  // connection reports outages; this one only stops covering.
  const { redis: subscriber, close } = await connectFailFast({
    url,
    commandTimeoutMs: 1_000,
    autoResubscribe: false,
    onOutage: () => {},
    onRecovered: () => {},
  });
  const lose = () => {
    coverage = null;
  };
  subscriber.on('error', lose);
  subscriber.on('close', lose);
  const subscribe = () => {
    subscriber.subscribe(channel).then(() => {
      // Redis took the subscription before it answered: whatever is published from now is told.
      const now = Date.now();
      coverage = { from: now, until: now };
    }, lose);
  };
  subscriber.on('ready', subscribe);
  // The first connection may be up already (connectFailFast waited for it).
  if (subscriber.status === 'ready') subscribe();
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const [userId, at] = message.split(' ');
    const validFrom = Number(at);
    if (!userId || !Number.isFinite(validFrom)) return;
    for (const listener of listeners) listener(userId, validFrom);
  });
  const heartbeat = setInterval(() => {
    const covering = coverage;
    if (!covering || pinging) return;
    pinging = true;
    const sentAt = Date.now();
    subscriber
      .ping()
      .then(
        () => {
          if (coverage === covering) covering.until = sentAt;
        },
        () => {},
      )
      .finally(() => {
        pinging = false;
      });
  }, NOTICE_HEARTBEAT_MS);
  heartbeat.unref();

  return {
    watch(listener: RevocationListener): RevocationWatch {
      listeners.add(listener);
      return {
        coverage: () => coverage,
        stop: () => listeners.delete(listener),
      };
    },
    async close() {
      clearInterval(heartbeat);
      listeners.clear();
      await close();
    },
  };
}
