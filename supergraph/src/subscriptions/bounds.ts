import { DEFAULT_MAX_BUFFERED_BYTES } from '@fitnexa/shared/realtime';

/** What one client may hold open; each has a default (DEFAULT_SUBSCRIPTION_BOUNDS). */
export interface SubscriptionBounds {
  /** Subscriptions on one connection; the next is refused with BAD_REQUEST. */
  maxSubscriptionsPerConnection?: number;
  /** Connections of one signed-in user; the next is closed with 4029. */
  maxConnectionsPerUser?: number;
  /** Connections from one client address; the next is closed with 4029. */
  maxConnectionsPerIp?: number;
  /** Unread bytes queued for a client; past them it is closed with 4013. */
  maxBufferedBytes?: number;
}

export const DEFAULT_SUBSCRIPTION_BOUNDS: Required<SubscriptionBounds> = {
  maxSubscriptionsPerConnection: 100,
  maxConnectionsPerUser: 20,
  maxConnectionsPerIp: 100,
  maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
};

/** The bounds given, each one left out taking its default. */
export function subscriptionBounds(given: SubscriptionBounds): Required<SubscriptionBounds> {
  const defined = Object.fromEntries(
    Object.entries({
      maxSubscriptionsPerConnection: given.maxSubscriptionsPerConnection,
      maxConnectionsPerUser: given.maxConnectionsPerUser,
      maxConnectionsPerIp: given.maxConnectionsPerIp,
      maxBufferedBytes: given.maxBufferedBytes,
    }).filter(([, value]) => value !== undefined),
  );
  return { ...DEFAULT_SUBSCRIPTION_BOUNDS, ...defined };
}

/** Open connections by key (user, address), each given back when its socket closes. */
export class Counts {
  private readonly counts = new Map<string, number>();

  /** Counts `socket` under `key` unless `max` are open already. */
  take(key: string, max: number, socket: { once(event: 'close', listener: () => void): unknown }) {
    const open = this.counts.get(key) ?? 0;
    if (open >= max) return false;
    this.counts.set(key, open + 1);
    socket.once('close', () => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    });
    return true;
  }
}
