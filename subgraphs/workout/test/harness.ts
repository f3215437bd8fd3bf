import {
  codeOf,
  startTestService,
  type GraphQLResult,
  type TestServiceOptions,
} from '@fitnexa/shared/testing';
import { startWorkout } from '../src';

// Component tests: workout alone, in-process on port 0, on the real PostgreSQL and Redis, over HTTP,
// with access tokens signed by a key of the test's own.

export type TestWorkout = Awaited<ReturnType<typeof startTestWorkout>>;

export const startTestWorkout = (options: TestServiceOptions = {}) =>
  startTestService('workout', startWorkout, options);

export { codeOf, type GraphQLResult };
