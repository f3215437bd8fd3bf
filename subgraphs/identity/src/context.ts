import type { BaseContext } from '@fitnexa/shared/subgraph';
import DataLoader from 'dataloader';
import type { UserRecord, UserRepository } from './data/users';
import type { UseCases } from './domain/use-cases';

export interface IdentityContext extends BaseContext, UseCases {
  /** Batches every user lookup of one request into a single query. */
  userById: DataLoader<string, UserRecord | null>;
}

export function createUserLoader(users: UserRepository) {
  return new DataLoader<string, UserRecord | null>((ids) => users.findByIds(ids), {
    maxBatchSize: 1000,
  });
}
