import type { Role } from './auth';

/** The wrapper every domain event travels in, whatever the transport. */
export interface EventEnvelope<TType extends string, TData> {
  /** Unique per event; consumers use it to drop duplicates. */
  id: string;
  type: TType;
  /** ISO-8601 date-time in UTC. */
  occurredAt: string;
  /** The service that published the event. */
  source: string;
  /** Ties the event to the request that caused it, when there was one. */
  correlationId: string | null;
  data: TData;
}

/** Every event FitNexa publishes, by type, with its payload. Date-times are ISO-8601 strings. */
export interface FitnexaEventMap {
  'identity.user.registered': {
    userId: string;
    email: string;
    displayName: string;
    role: Role;
  };
  'identity.user.deleted': {
    userId: string;
  };
  'gym.checkin.recorded': {
    checkInId: string;
    userId: string;
    gymId: string;
    checkedInAt: string;
  };
  'workout.session.completed': {
    sessionId: string;
    userId: string;
    gymId: string | null;
    completedAt: string;
    totalVolumeKg: number;
  };
  'squad.member.joined': {
    squadId: string;
    userId: string;
  };
  'squad.member.left': {
    squadId: string;
    userId: string;
    /** The user was deleted (identity.user.deleted): consumers keep nothing of them, not even this. */
    userDeleted?: boolean;
  };
}

export type FitnexaEventType = keyof FitnexaEventMap;

/**
 * The envelope of one event type. With the default (every type) it is a union discriminated on
 * `type`, so narrowing on `event.type` narrows `event.data` too.
 */
export type FitnexaEvent<T extends FitnexaEventType = FitnexaEventType> = {
  [K in T]: EventEnvelope<K, FitnexaEventMap[K]>;
}[T];
