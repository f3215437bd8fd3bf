import { isUuid } from '@fitnexa/shared/db';
import { ForbiddenError, NotFoundError, parseInput } from '@fitnexa/shared/errors';
import {
  connection,
  invalidCursor,
  pageRequest,
  timeCursor,
  timePageRequest,
} from '@fitnexa/shared/graphql';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { ActivityRecord, ActivityRepository } from '../data/activities';
import type { MemberRepository } from '../data/members';
import {
  directoryPositionOf,
  type NamePosition,
  type SquadRecord,
  type SquadRepository,
} from '../data/squads';
import type { SquadRole } from '../generated/prisma/enums';
import { mayView, requireManager } from './access';
import type { LiveUpdates } from './realtime';
import { optionalText, text, uuid, visibility } from './validation';

const createInput = z.object({
  name: text(80),
  description: optionalText(1000)
    .nullish()
    .transform((value) => value ?? null),
  visibility,
  homeGymId: uuid.nullish().transform((value) => value ?? null),
});

// Absent leaves a field as it is; null clears description and homeGymId, and changes nothing else.
const updateInput = z.object({
  name: text(80)
    .nullish()
    .transform((value) => value ?? undefined),
  description: optionalText(1000).nullish(),
  visibility: visibility.nullish().transform((value) => value ?? undefined),
  homeGymId: uuid.nullish(),
});

const directoryInput = z.object({
  search: z
    .string()
    .trim()
    .max(80, 'must be at most 80 characters')
    .nullish()
    .transform((value) => value || null),
});

/** Cursors of the directory: the position of the squad in it. */
const directoryCursor = (squad: SquadRecord) => {
  const { nameKey, id } = directoryPositionOf(squad);
  return JSON.stringify([nameKey, id]);
};

function directoryPosition(cursor: string): NamePosition {
  try {
    const [nameKey, id] = JSON.parse(cursor) as unknown[];
    if (typeof nameKey === 'string' && typeof id === 'string' && isUuid(id)) return { nameKey, id };
  } catch {
    // Not JSON: not a cursor of this list either.
  }
  throw invalidCursor();
}

/** Cursors of a squad's feed: the position of the entry in it. */
const activityCursor = (activity: ActivityRecord) => timeCursor(activity.createdAt, activity.id);

export interface SquadsDeps {
  squads: SquadRepository;
  members: MemberRepository;
  activities: ActivityRepository;
  live: LiveUpdates;
  now?: () => Date;
}

/** Squads themselves: creating and editing them, who sees them, the directory and the feed. */
export class Squads {
  private readonly now: () => Date;

  constructor(private readonly deps: SquadsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The squad, or NOT_FOUND. */
  async find(id: string): Promise<SquadRecord> {
    const [squad] = await this.deps.squads.findByIds([id]);
    if (!squad) throw new NotFoundError('Squad');
    return squad;
  }

  /** The user's role in the squad; null when they are not a member. */
  async roleOf(squadId: string, userId: string): Promise<SquadRole | null> {
    return (await this.deps.members.find(squadId, userId))?.role ?? null;
  }

  /** The squad when there is one and the principal may see it, null otherwise. */
  async visible(principal: Principal, squadId: string): Promise<SquadRecord | null> {
    const [squad] = await this.deps.squads.findByIds([squadId]);
    if (!squad) return null;
    const role =
      squad.visibility === 'PUBLIC' ? null : await this.roleOf(squad.id, principal.userId);
    return mayView(principal, squad, role) ? squad : null;
  }

  /** The users among `viewers` who may not see the squad (all of them when there is none); one query. */
  async blindAmong(squadId: string, viewers: readonly Principal[]): Promise<Set<string>> {
    const [squad] = await this.deps.squads.findByIds([squadId]);
    if (!squad) return new Set(viewers.map((viewer) => viewer.userId));
    if (squad.visibility === 'PUBLIC') return new Set();
    const roles = await this.deps.members.roles(
      viewers.map((viewer) => ({ squadId: squad.id, userId: viewer.userId })),
    );
    return new Set(
      viewers
        .filter((viewer, index) => !mayView(viewer, squad, roles[index] ?? null))
        .map((viewer) => viewer.userId),
    );
  }

  /**
   * The squad, when the principal may see it; FORBIDDEN otherwise, whether or not there is such
   * a squad (live updates answer before the first event, and must not tell private squads apart).
   */
  async requireVisible(principal: Principal, squadId: string): Promise<SquadRecord> {
    const squad = await this.visible(principal, squadId);
    if (!squad) throw new ForbiddenError('You may not follow this squad');
    return squad;
  }

  /** The creator becomes the squad's OWNER. Only the demo squad is given its `id`. */
  async create(
    principal: Principal,
    input: unknown,
    options: { id?: string } = {},
  ): Promise<SquadRecord> {
    const data = parseInput(createInput, input);
    const createdAt = this.now();
    const { squad, activity } = await this.deps.squads.create(
      { ...data, ...options, ownerId: principal.userId, createdAt },
      (squadId) => ({ squadId, kind: 'SQUAD_CREATED', actorId: principal.userId, createdAt }),
    );
    await this.deps.live.activities([activity]);
    return squad;
  }

  /** OWNER or ADMIN. */
  async update(principal: Principal, id: string, input: unknown): Promise<SquadRecord> {
    const data = parseInput(updateInput, input);
    const squad = await this.find(id);
    requireManager(await this.roleOf(squad.id, principal.userId));
    const { squad: updated, activity } = await this.deps.squads.update(squad.id, data, {
      squadId: squad.id,
      kind: 'SQUAD_UPDATED',
      actorId: principal.userId,
      createdAt: this.now(),
    });
    await this.deps.live.activities([activity]);
    return updated;
  }

  /** A page of the PUBLIC squads by name, only those whose name contains `search` when given. */
  async directory(args: { search?: string | null; first?: number | null; after?: string | null }) {
    const { first, after } = pageRequest(args);
    const { search } = parseInput(directoryInput, args);
    const rows = await this.deps.squads.directory({
      search,
      take: first + 1,
      after: after === null ? null : directoryPosition(after),
    });
    return connection(rows, first, directoryCursor);
  }

  /** A page of the squad's feed, newest first; NOT_FOUND unless the principal may see the squad. */
  async feed(
    principal: Principal,
    squadId: string,
    args: { first?: number | null; after?: string | null },
  ) {
    const { first, after } = timePageRequest(args);
    const squad = await this.visible(principal, squadId);
    if (!squad) throw new NotFoundError('Squad');
    const [rows = []] = await this.deps.activities.pages([
      { squadId: squad.id, take: first + 1, after },
    ]);
    return connection(rows, first, activityCursor);
  }
}
