import type { BaseContext } from '@fitnexa/shared/subgraph';
import DataLoader from 'dataloader';
import type { ChallengeRecord } from './data/challenges';
import type { JoinRequestRecord } from './data/join-requests';
import type { MemberRecord, MembershipKey } from './data/members';
import type { SquadPageRequest } from './data/pages';
import type { LeaderboardEntryRecord, LeaderboardRequest } from './data/progress';
import type { SquadRecord, UserSquadsRequest } from './data/squads';
import type { SquadRepositories } from './data/repositories';
import type { UseCases } from './domain/use-cases';
import type { SquadRole } from './generated/prisma/enums';

/** Per-request loaders: every lookup of a kind in one request becomes one query (or none, cached). */
export interface SquadLoaders {
  squadById: DataLoader<string, SquadRecord | null>;
  squadsOfUser: DataLoader<UserSquadsRequest, SquadRecord[], string>;
  memberCount: DataLoader<string, number>;
  role: DataLoader<MembershipKey, SquadRole | null, string>;
  memberPage: DataLoader<SquadPageRequest, MemberRecord[], string>;
  challengeById: DataLoader<string, ChallengeRecord | null>;
  challengePage: DataLoader<SquadPageRequest, ChallengeRecord[], string>;
  joinRequestPage: DataLoader<SquadPageRequest, JoinRequestRecord[], string>;
  leaderboard: DataLoader<LeaderboardRequest, LeaderboardEntryRecord[], string>;
}

export interface SquadContext extends BaseContext, UseCases {
  loaders: SquadLoaders;
}

// Bounds the size of one IN list: past a thousand keys a batch takes one more query per thousand.
const maxBatchSize = 1000;

const pageKey = (request: SquadPageRequest) =>
  JSON.stringify([request.squadId, request.take, request.after?.at.getTime(), request.after?.id]);

export function createLoaders(repositories: SquadRepositories): SquadLoaders {
  const { squads, members, challenges, joinRequests, progress } = repositories;
  return {
    squadById: new DataLoader((ids) => squads.findByIds(ids), { maxBatchSize }),
    squadsOfUser: new DataLoader((requests) => squads.ofUsers(requests), {
      maxBatchSize,
      cacheKeyFn: (request) => JSON.stringify([request.userId, request.publicOnly]),
    }),
    memberCount: new DataLoader((ids) => squads.memberCounts(ids), { maxBatchSize }),
    role: new DataLoader((keys) => members.roles(keys), {
      maxBatchSize,
      cacheKeyFn: (key) => `${key.squadId}|${key.userId}`,
    }),
    memberPage: new DataLoader((requests) => members.pages(requests), {
      maxBatchSize,
      cacheKeyFn: pageKey,
    }),
    challengeById: new DataLoader((ids) => challenges.findByIds(ids), { maxBatchSize }),
    challengePage: new DataLoader((requests) => challenges.pages(requests), {
      maxBatchSize,
      cacheKeyFn: pageKey,
    }),
    joinRequestPage: new DataLoader((requests) => joinRequests.pages(requests), {
      maxBatchSize,
      cacheKeyFn: pageKey,
    }),
    leaderboard: new DataLoader((requests) => progress.leaderboards(requests), {
      maxBatchSize,
      cacheKeyFn: (request) => JSON.stringify([request.challengeId, request.take]),
    }),
  };
}
