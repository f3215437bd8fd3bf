import { randomUUID } from 'node:crypto';
import { readThroughMany, type Cache } from '@fitnexa/shared/cache';
import { isUuid } from '@fitnexa/shared/db';
import { ForbiddenError, NotFoundError, parseInput } from '@fitnexa/shared/errors';
import { connection, invalidCursor, pageRequest } from '@fitnexa/shared/graphql';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { DistancePosition, GymRecord, GymRepository, NearbyGym } from '../data/gyms';
import type { PlanRecord, PlanRepository } from '../data/plans';
import { isAdmin, requireGymManager } from './access';
import { geoPoint, labels, openingHours, text, uuid } from './validation';

/**
 * How long a cached gym (and its plans) lives. Writes through this service drop the cached copy,
 * so the TTL only bounds a copy a lost invalidation (a Redis outage mid-write) left behind.
 */
const GYM_TTL_SECONDS = 300;
/** Distance searches are cached briefly: the same few points (rounded) are searched again and again. */
const NEAR_TTL_SECONDS = 60;
const MAX_RADIUS_KM = 100;

const gymKey = (id: string) => `gym:${id}`;
const plansKey = (gymId: string) => `gym-plans:${gymId}`;
// Distance searches are keyed by a version that every gym write replaces: a new or moved gym may
// belong to any cached search, and the cache cannot list keys to drop them. A version that
// expires is replaced too, which costs one round of misses.
const NEAR_VERSION_KEY = 'gyms-near-version';
const NEAR_VERSION_TTL_SECONDS = 600;

/** ~100 m: nearby searches share cache entries, and a few metres do not change the answer. */
const roundToGrid = (degrees: number) => Math.round(degrees * 1000) / 1000;

const createInput = z.object({
  name: text(100),
  address: text(200),
  location: geoPoint,
  amenities: labels(30, 50)
    .nullish()
    .transform((value) => value ?? []),
  openingHours: openingHours.nullish().transform((value) => value ?? []),
  ownerId: uuid.nullish(),
});

const updateInput = z.object({
  name: text(100)
    .nullish()
    .transform((value) => value ?? undefined),
  address: text(200)
    .nullish()
    .transform((value) => value ?? undefined),
  location: geoPoint.nullish().transform((value) => value ?? undefined),
  amenities: labels(30, 50)
    .nullish()
    .transform((value) => value ?? undefined),
  openingHours: openingHours.nullish().transform((value) => value ?? undefined),
});

const planInput = z.object({
  gymId: z.string(),
  name: text(80),
  priceCents: z
    .number()
    .int()
    .min(0, 'must be at least 0')
    .max(10_000_000, 'must be at most 10000000'),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  period: z.enum(['MONTHLY', 'QUARTERLY', 'YEARLY']),
  perks: labels(20, 100)
    .nullish()
    .transform((value) => value ?? []),
});

const nearInput = geoPoint.extend({
  radiusKm: z
    .number()
    .positive('must be more than 0')
    .max(MAX_RADIUS_KM, `must be at most ${MAX_RADIUS_KM}`),
});

/** Cursors of a distance search: the position of the gym in it. */
const nearCursor = (nearby: NearbyGym) => `${nearby.distanceKm}|${nearby.gym.id}`;

function nearPosition(cursor: string): DistancePosition {
  const [distance = '', id = ''] = cursor.split('|');
  const distanceKm = Number(distance);
  if (!distance || !Number.isFinite(distanceKm) || distanceKm < 0 || !isUuid(id)) {
    throw invalidCursor();
  }
  return { distanceKm, id };
}

export interface GymsDeps {
  gyms: GymRepository;
  plans: PlanRepository;
  cache: Cache;
}

/** Gyms and their plans: public to read (through the cache), their owner's and admins' to change. */
export class Gyms {
  constructor(private readonly deps: GymsDeps) {}

  /** Gyms by id (null where there is none); only those the cache lacks cost a query, one for all. */
  byIds(ids: readonly string[]): Promise<(GymRecord | null)[]> {
    return readThroughMany(this.deps.cache, ids, {
      keyOf: gymKey,
      ttlSeconds: GYM_TTL_SECONDS,
      load: (missing) => this.deps.gyms.findByIds(missing),
    });
  }

  /** Each gym's plans, cheapest first; only gyms the cache lacks cost a query, one for all. */
  async plansOf(gymIds: readonly string[]): Promise<PlanRecord[][]> {
    const plans = await readThroughMany(this.deps.cache, gymIds, {
      keyOf: plansKey,
      ttlSeconds: GYM_TTL_SECONDS,
      load: (missing) => this.deps.plans.findByGymIds(missing),
    });
    return plans.map((list) => list ?? []);
  }

  /** The gym, or NOT_FOUND. */
  async find(id: string): Promise<GymRecord> {
    const [gym] = await this.byIds([id]);
    if (!gym) throw new NotFoundError('Gym');
    return gym;
  }

  /**
   * GYM_OWNERs create their own gyms; admins create them for themselves or for `ownerId`. Only
   * the demo gyms are given their `id` (other subgraphs' demo data refers to them).
   */
  async create(
    principal: Principal,
    input: unknown,
    options: { id?: string } = {},
  ): Promise<GymRecord> {
    if (principal.role !== 'GYM_OWNER' && !isAdmin(principal)) {
      throw new ForbiddenError('Only gym owners and admins can create gyms');
    }
    const { ownerId, location, ...data } = parseInput(createInput, input);
    if (ownerId && ownerId !== principal.userId && !isAdmin(principal)) {
      throw new ForbiddenError('Only admins can create a gym for another user');
    }
    const gym = await this.deps.gyms.create({
      ...data,
      ...options,
      latitude: location.lat,
      longitude: location.lng,
      ownerId: ownerId ?? principal.userId,
    });
    await this.replaceNearVersion();
    return gym;
  }

  async update(principal: Principal, id: string, input: unknown): Promise<GymRecord> {
    const { location, ...data } = parseInput(updateInput, input);
    requireGymManager(principal, await this.find(id));
    const gym = await this.deps.gyms.update(id, {
      ...data,
      ...(location ? { latitude: location.lat, longitude: location.lng } : {}),
    });
    await this.deps.cache.delete(gymKey(id));
    await this.replaceNearVersion();
    return gym;
  }

  async createPlan(principal: Principal, input: unknown): Promise<PlanRecord> {
    const data = parseInput(planInput, input);
    requireGymManager(principal, await this.find(data.gymId));
    const plan = await this.deps.plans.create(data);
    await this.deps.cache.delete(plansKey(plan.gymId));
    return plan;
  }

  /** A page of the gyms within `radiusKm` of a point (rounded to ~100 m), nearest first. */
  async near(args: {
    lat: number;
    lng: number;
    radiusKm: number;
    first?: number | null;
    after?: string | null;
  }) {
    const { first, after } = pageRequest(args);
    const point = parseInput(nearInput, args);
    const query = {
      latitude: roundToGrid(point.lat),
      longitude: roundToGrid(point.lng),
      radiusKm: point.radiusKm,
      take: first + 1,
      after: after === null ? null : nearPosition(after),
    };
    const key = [
      'gyms-near',
      await this.nearVersion(),
      query.latitude,
      query.longitude,
      query.radiusKm,
      query.take,
      after ?? '',
    ].join(':');
    const rows = await this.deps.cache.getOrLoad(key, NEAR_TTL_SECONDS, () =>
      this.deps.gyms.findNear(query),
    );
    const page = connection(rows, first, nearCursor);
    return {
      edges: page.edges.map(({ cursor, node }) => ({
        cursor,
        node: node.gym,
        distanceKm: node.distanceKm,
      })),
      pageInfo: page.pageInfo,
    };
  }

  private async nearVersion(): Promise<string> {
    return (await this.deps.cache.get<string>(NEAR_VERSION_KEY)) ?? this.replaceNearVersion();
  }

  /** Makes every cached distance search unreachable (they expire on their own). */
  private async replaceNearVersion(): Promise<string> {
    const version = randomUUID();
    await this.deps.cache.set(NEAR_VERSION_KEY, version, NEAR_VERSION_TTL_SECONDS);
    return version;
  }
}
