import { ConflictError, ForbiddenError, NotFoundError, parseInput } from '@fitnexa/shared/errors';
import { timeCursor, timePageRequest } from '@fitnexa/shared/graphql';
import type { Logger } from '@fitnexa/shared/logger';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { SessionPosition, SessionRecord, SessionRepository } from '../data/sessions';
import type { SetRecord, SetRepository } from '../data/sets';
import type { ExerciseCatalogue } from './catalogue';
import { recordCandidates } from './records';

const startInput = z.object({
  gymId: z.string().trim().min(1, 'must not be empty').max(100).nullish(),
  notes: z.string().trim().max(2000, 'must be at most 2000 characters').nullish(),
});

const logSetInput = z.object({
  sessionId: z.string(),
  exerciseId: z.string(),
  reps: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'),
  weightKg: z.number().min(0, 'must be at least 0').max(1000, 'must be at most 1000'),
  rpe: z
    .number()
    .min(1, 'must be at least 1')
    .max(10, 'must be at most 10')
    .multipleOf(0.5, 'must be a whole or half number')
    .nullish(),
});

export interface WorkoutsDeps {
  sessions: SessionRepository;
  sets: SetRepository;
  catalogue: ExerciseCatalogue;
  logger: Logger;
  now?: () => Date;
}

/** A user's sessions are theirs and admins' to see. */
export function mayView(principal: Principal | null, session: SessionRecord): boolean {
  return !!principal && (principal.userId === session.userId || principal.role === 'ADMIN');
}

/** Cursors of a user's session list: the position of the session in it. */
export const sessionCursor = (session: SessionRecord) => timeCursor(session.startedAt, session.id);

/** Validates the arguments of a page of sessions (BAD_USER_INPUT otherwise). */
export function sessionPageRequest(args: { first?: number | null; after?: string | null }): {
  first: number;
  after: SessionPosition | null;
} {
  const { first, after } = timePageRequest(args);
  return { first, after: after && { startedAt: after.at, id: after.id } };
}

/**
 * Workout sessions: starting, logging sets (and the records they set), completing (published as
 * `workout.session.completed`, recorded in the completion's transaction).
 */
export class Workouts {
  private readonly now: () => Date;

  constructor(private readonly deps: WorkoutsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async view(principal: Principal, sessionId: string): Promise<SessionRecord> {
    const session = await this.find(sessionId);
    if (!mayView(principal, session)) throw new ForbiddenError();
    return session;
  }

  async start(principal: Principal, input: unknown): Promise<SessionRecord> {
    const data = parseInput(startInput, input);
    const session = await this.deps.sessions.start({
      userId: principal.userId,
      gymId: data.gymId ?? null,
      notes: data.notes || null,
      startedAt: this.now(),
    });
    if (!session) {
      throw new ConflictError('You already have a workout session in progress; complete it first');
    }
    return session;
  }

  async logSet(principal: Principal, input: unknown): Promise<SetRecord> {
    const data = parseInput(logSetInput, input);
    const session = await this.ownSession(principal, data.sessionId);
    if (session.completedAt) throw completedError();
    const [exercise] = await this.deps.catalogue.byIds([data.exerciseId]);
    if (!exercise) throw new NotFoundError('Exercise');
    const logged = await this.deps.sets.append(
      {
        sessionId: session.id,
        userId: session.userId,
        exerciseId: exercise.id,
        reps: data.reps,
        weightKg: data.weightKg,
        rpe: data.rpe ?? null,
        loggedAt: this.now(),
      },
      recordCandidates(exercise, data),
    );
    // Completed between the check above and the append.
    if (!logged) throw completedError();
    for (const record of logged.records) {
      this.deps.logger.info('personal record', {
        userId: record.userId,
        exerciseId: record.exerciseId,
        kind: record.kind,
        value: record.value,
      });
    }
    return logged.set;
  }

  async complete(principal: Principal, sessionId: string): Promise<SessionRecord> {
    const session = await this.ownSession(principal, sessionId);
    const completed = session.completedAt
      ? null
      : await this.deps.sessions.complete(session.id, this.now());
    if (!completed) throw new ConflictError('This workout session is already completed');
    return completed;
  }

  /** The session, when it is the principal's own: only its owner changes a session, admins included. */
  private async ownSession(principal: Principal, sessionId: string): Promise<SessionRecord> {
    const session = await this.find(sessionId);
    if (session.userId !== principal.userId) throw new ForbiddenError();
    return session;
  }

  private async find(sessionId: string): Promise<SessionRecord> {
    const [session] = await this.deps.sessions.findByIds([sessionId]);
    if (!session) throw new NotFoundError('Workout session');
    return session;
  }
}

const completedError = () =>
  new ConflictError('This workout session is completed; sets can no longer be logged to it');
