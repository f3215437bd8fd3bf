import {
  codeOf,
  startTestService,
  type GraphQLResult,
  type TestServiceOptions,
} from '@fitnexa/shared/testing';
import { startGym } from '../src';

// Component tests: gym alone, in-process on port 0, on the real PostgreSQL and Redis, over HTTP,
// with access tokens signed by a key of the test's own.

export type TestGym = Awaited<ReturnType<typeof startTestGym>>;

export const startTestGym = (options: TestServiceOptions = {}) =>
  startTestService('gym', startGym, options);

export { codeOf, type GraphQLResult };
