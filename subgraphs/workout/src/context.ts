import type { BaseContext } from '@fitnexa/shared/subgraph';
import DataLoader from 'dataloader';
import type { ExerciseRecord } from './data/exercises';
import type { PersonalRecordRecord, PersonalRecordRepository } from './data/personal-records';
import type { SessionPageRequest, SessionRecord, SessionRepository } from './data/sessions';
import type { SetRecord, SetRepository } from './data/sets';
import type { StatsRepository, StatsRequest, WorkoutStatsRecord } from './data/stats';
import type { ExerciseCatalogue } from './domain/catalogue';
import type { Templates } from './domain/templates';
import type { Workouts } from './domain/workouts';

/** Per-request loaders: every lookup of a kind in one request becomes one query. */
export interface WorkoutLoaders {
  exerciseById: DataLoader<string, ExerciseRecord | null>;
  sessionById: DataLoader<string, SessionRecord | null>;
  sessionPage: DataLoader<SessionPageRequest, SessionRecord[], string>;
  setsBySessionId: DataLoader<string, SetRecord[]>;
  setById: DataLoader<string, SetRecord | null>;
  recordsByUserId: DataLoader<string, PersonalRecordRecord[]>;
  recordsBySetId: DataLoader<string, PersonalRecordRecord[]>;
  stats: DataLoader<StatsRequest, WorkoutStatsRecord, string>;
}

export interface WorkoutContext extends BaseContext {
  workouts: Workouts;
  templates: Templates;
  catalogue: ExerciseCatalogue;
  loaders: WorkoutLoaders;
}

export interface LoaderSources {
  catalogue: ExerciseCatalogue;
  sessions: SessionRepository;
  sets: SetRepository;
  records: PersonalRecordRepository;
  stats: StatsRepository;
}

// Bounds the size of one IN list: past a thousand keys a batch takes one more query per thousand.
const maxBatchSize = 1000;

export function createLoaders(sources: LoaderSources): WorkoutLoaders {
  return {
    exerciseById: new DataLoader((ids) => sources.catalogue.byIds(ids), { maxBatchSize }),
    sessionById: new DataLoader((ids) => sources.sessions.findByIds(ids), { maxBatchSize }),
    sessionPage: new DataLoader((requests) => sources.sessions.pages(requests), {
      maxBatchSize,
      cacheKeyFn: (request) =>
        JSON.stringify([request.userId, request.take, request.after?.startedAt, request.after?.id]),
    }),
    setsBySessionId: new DataLoader((ids) => sources.sets.findBySessionIds(ids), { maxBatchSize }),
    setById: new DataLoader((ids) => sources.sets.findByIds(ids), { maxBatchSize }),
    recordsByUserId: new DataLoader((ids) => sources.records.findByUserIds(ids), {
      maxBatchSize,
    }),
    recordsBySetId: new DataLoader((ids) => sources.records.findBySetIds(ids), { maxBatchSize }),
    stats: new DataLoader((requests) => sources.stats.forRanges(requests), {
      maxBatchSize,
      cacheKeyFn: (request) =>
        JSON.stringify([request.userId, request.from.getTime(), request.to.getTime()]),
    }),
  };
}
