import type { BaseContext } from '@fitnexa/shared/subgraph';
import DataLoader from 'dataloader';
import type { BookedClassesRequest, BookingRecord } from './data/bookings';
import type { CheckInPageRequest, CheckInRecord } from './data/check-ins';
import type { GymClassRecord, Occupancy } from './data/classes';
import type { GymRecord } from './data/gyms';
import type { MembershipListRequest, MembershipRecord } from './data/memberships';
import type { PlanRecord } from './data/plans';
import type { Gyms } from './domain/gyms';
import type { GymRepositories } from './data/repositories';
import type { UseCases } from './domain/use-cases';

/** Per-request loaders: every lookup of a kind in one request becomes one query (or none, cached). */
export interface GymLoaders {
  gymById: DataLoader<string, GymRecord | null>;
  plansByGymId: DataLoader<string, PlanRecord[]>;
  planById: DataLoader<string, PlanRecord | null>;
  classById: DataLoader<string, GymClassRecord | null>;
  occupancyByClassId: DataLoader<string, Occupancy>;
  ownedGymsByOwnerId: DataLoader<string, GymRecord[]>;
  membershipsOfUser: DataLoader<MembershipListRequest, MembershipRecord[], string>;
  checkInPage: DataLoader<CheckInPageRequest, CheckInRecord[], string>;
  bookedClasses: DataLoader<BookedClassesRequest, BookingRecord[], string>;
}

export interface GymContext extends BaseContext, UseCases {
  gyms: Gyms;
  loaders: GymLoaders;
}

// Bounds the size of one IN list: past a thousand keys a batch takes one more query per thousand.
const maxBatchSize = 1000;

/** Loaders over the repositories; gyms and their plans go through `gyms`, which caches them. */
export function createLoaders(gyms: Gyms, repositories: GymRepositories): GymLoaders {
  return {
    gymById: new DataLoader((ids) => gyms.byIds(ids), { maxBatchSize }),
    plansByGymId: new DataLoader((ids) => gyms.plansOf(ids), { maxBatchSize }),
    planById: new DataLoader((ids) => repositories.plans.findByIds(ids), { maxBatchSize }),
    classById: new DataLoader((ids) => repositories.classes.findByIds(ids), { maxBatchSize }),
    occupancyByClassId: new DataLoader((ids) => repositories.classes.occupancy(ids), {
      maxBatchSize,
    }),
    ownedGymsByOwnerId: new DataLoader((ids) => repositories.gyms.findByOwnerIds(ids), {
      maxBatchSize,
    }),
    membershipsOfUser: new DataLoader((requests) => repositories.memberships.lists(requests), {
      maxBatchSize,
      cacheKeyFn: (request) => JSON.stringify([request.userId, request.atGymsOwnedBy]),
    }),
    checkInPage: new DataLoader((requests) => repositories.checkIns.pages(requests), {
      maxBatchSize,
      cacheKeyFn: (request) =>
        JSON.stringify([
          request.userId,
          request.take,
          request.after?.checkedInAt.getTime(),
          request.after?.id,
          request.atGymsOwnedBy,
        ]),
    }),
    bookedClasses: new DataLoader((requests) => repositories.bookings.bookedClasses(requests), {
      maxBatchSize,
      cacheKeyFn: (request) =>
        JSON.stringify([request.userId, request.from.getTime(), request.to.getTime()]),
    }),
  };
}
