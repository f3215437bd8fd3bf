import { DateTime } from '@fitnexa/shared/graphql';
import type { Resolvers } from '../generated/graphql';
import { LogEntry } from './LogEntry';
import { Query } from './Query';

export const resolvers: Resolvers = { DateTime, Query, LogEntry };
