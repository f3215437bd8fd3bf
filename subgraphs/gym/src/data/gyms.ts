import type { GymPrisma } from '../db';
import { Prisma } from '../generated/prisma/client';
import { groupBy, indexBy, isUuid } from '@fitnexa/shared/db';

export interface OpeningHours {
  /** 0 = Sunday … 6 = Saturday. */
  dayOfWeek: number;
  opens: string;
  closes: string;
}

/** A user of identity's, known here by id only. */
export interface UserReference {
  id: string;
}

export interface GymRecord {
  id: string;
  ownerId: string;
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  amenities: string[];
  openingHours: OpeningHours[];
  createdAt: Date;
}

export type GymData = Omit<GymRecord, 'id' | 'ownerId' | 'createdAt'>;

export interface NearbyGym {
  gym: GymRecord;
  distanceKm: number;
}

/** Where a page of a distance search starts: after this gym at this distance. */
export interface DistancePosition {
  distanceKm: number;
  id: string;
}

export interface NearQuery {
  latitude: number;
  longitude: number;
  radiusKm: number;
  take: number;
  after: DistancePosition | null;
}

const fields = {
  id: true,
  ownerId: true,
  name: true,
  address: true,
  latitude: true,
  longitude: true,
  amenities: true,
  openingHours: true,
  createdAt: true,
} as const;

type GymRow = Omit<GymRecord, 'openingHours'> & { openingHours: Prisma.JsonValue };

// Opening hours are validated before they are written, so what is stored has their shape.
const toRecord = (row: GymRow): GymRecord => ({
  ...row,
  openingHours: row.openingHours as unknown as OpeningHours[],
});

const asJson = (openingHours: OpeningHours[]) => openingHours as unknown as Prisma.InputJsonValue;

/** The mean Earth radius (IUGG), the sphere distances are measured on. */
const EARTH_RADIUS_KM = 6371.0088;
const degrees = (radians: number) => (radians * 180) / Math.PI;
const radians = (degrees: number) => (degrees * Math.PI) / 180;
// A hair of slack, so rounding never drops a gym that lies exactly on the box's edge.
const SLACK_DEGREES = 1e-9;

/**
 * The latitude/longitude box around a circle on the sphere. Longitudes are left open when the
 * circle holds a pole or crosses the antimeridian (rare; the latitude band still narrows the rows).
 */
function boundingBox(latitude: number, longitude: number, radiusKm: number) {
  const angle = radiusKm / EARTH_RADIUS_KM;
  const latitudeDelta = degrees(angle) + SLACK_DEGREES;
  const box = { minLatitude: latitude - latitudeDelta, maxLatitude: latitude + latitudeDelta };
  if (box.maxLatitude >= 90 || box.minLatitude <= -90) return { ...box, longitudes: null };
  // The widest longitude a circle of this angle reaches at this latitude (exact on a sphere).
  const longitudeDelta =
    degrees(Math.asin(Math.sin(angle) / Math.cos(radians(latitude)))) + SLACK_DEGREES;
  if (longitude - longitudeDelta < -180 || longitude + longitudeDelta > 180) {
    return { ...box, longitudes: null };
  }
  return { ...box, longitudes: [longitude - longitudeDelta, longitude + longitudeDelta] as const };
}

export class GymRepository {
  constructor(private readonly prisma: GymPrisma) {}

  /** Gyms by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(GymRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.gym.findMany({ where: { id: { in: validIds } }, select: fields })
      : [];
    return indexBy(ids, rows.map(toRecord), (gym) => gym.id);
  }

  /** Each owner's gyms by name, in the order of `ownerIds`; one query whatever the count. */
  async findByOwnerIds(ownerIds: readonly string[]): Promise<GymRecord[][]> {
    const validIds = ownerIds.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.gym.findMany({
          where: { ownerId: { in: validIds } },
          select: fields,
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        })
      : [];
    return groupBy(ownerIds, rows.map(toRecord), (gym) => gym.ownerId);
  }

  /** Creates a gym; `id` only where it must be known in advance (the demo gyms). */
  async create(data: GymData & { ownerId: string; id?: string }): Promise<GymRecord> {
    return toRecord(
      await this.prisma.gym.create({
        data: { ...data, openingHours: asJson(data.openingHours) },
        select: fields,
      }),
    );
  }

  async update(id: string, data: Partial<GymData>): Promise<GymRecord> {
    const { openingHours, ...rest } = data;
    return toRecord(
      await this.prisma.gym.update({
        where: { id },
        data: { ...rest, ...(openingHours ? { openingHours: asJson(openingHours) } : {}) },
        select: fields,
      }),
    );
  }

  async hasAny(): Promise<boolean> {
    return (await this.prisma.gym.count()) > 0;
  }

  /**
   * Up to `take` gyms within `radiusKm` of a point, nearest first (ties by id), after `after`.
   * A latitude/longitude box narrows the rows on the index before the haversine distance is
   * computed for each (PostGIS is not available).
   */
  async findNear(query: NearQuery): Promise<NearbyGym[]> {
    const { latitude, longitude, radiusKm, take, after } = query;
    const box = boundingBox(latitude, longitude, radiusKm);
    const rows = await this.prisma.$queryRaw<(GymRow & { distanceKm: number })[]>`
      SELECT nearby."id", nearby."ownerId", nearby."name", nearby."address", nearby."latitude",
             nearby."longitude", nearby."amenities", nearby."openingHours", nearby."createdAt",
             nearby."distanceKm"
        FROM (
          SELECT gym.*,
                 ${2 * EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
                   power(sin(radians(gym."latitude" - ${latitude}::float8) / 2), 2)
                   + cos(radians(${latitude}::float8)) * cos(radians(gym."latitude"))
                     * power(sin(radians(gym."longitude" - ${longitude}::float8) / 2), 2)
                 ))) AS "distanceKm"
            FROM "Gym" gym
           WHERE gym."latitude" BETWEEN ${box.minLatitude}::float8 AND ${box.maxLatitude}::float8
             ${
               box.longitudes
                 ? Prisma.sql`AND gym."longitude" BETWEEN ${box.longitudes[0]}::float8 AND ${box.longitudes[1]}::float8`
                 : Prisma.empty
             }
        ) nearby
       WHERE nearby."distanceKm" <= ${radiusKm}::float8
         ${
           after
             ? Prisma.sql`AND (nearby."distanceKm", nearby."id") > (${after.distanceKm}::float8, ${after.id}::uuid)`
             : Prisma.empty
         }
       ORDER BY nearby."distanceKm", nearby."id"
       LIMIT ${take}`;
    return rows.map(({ distanceKm, ...row }) => ({ gym: toRecord(row), distanceKm }));
  }
}
