// Breaking changes of the public API schema, found by GraphQL Inspector, and the record of those
// that were meant (schema/intended-breaks.json): a break that is not recorded fails compose and CI.
import { existsSync, readFileSync } from 'node:fs';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/** One intended breaking change: what changed (as GraphQL Inspector names it) and why. */
export interface IntendedBreak {
  type: string;
  path: string;
  reason: string;
}

/** The breaking changes from `before` to `after` (two API schemas in SDL). */
export async function breakingChanges(before: string, after: string): Promise<Change[]> {
  const changes = await diff(buildSchema(before), buildSchema(after));
  return changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
}

export function readIntendedBreaks(file: string): IntendedBreak[] {
  if (!existsSync(file)) return [];
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (
    !Array.isArray(parsed) ||
    !parsed.every(
      (entry: Partial<IntendedBreak>) =>
        typeof entry?.type === 'string' &&
        typeof entry.path === 'string' &&
        typeof entry.reason === 'string' &&
        entry.reason.trim() !== '',
    )
  ) {
    throw new Error(`${file}: expected a list of { "type", "path", "reason" } with a reason each`);
  }
  return parsed as IntendedBreak[];
}

/** The breaking changes that no entry of `intended` records (matched by type and path). */
export function unrecorded(changes: Change[], intended: IntendedBreak[]): Change[] {
  return changes.filter(
    (change) =>
      !intended.some((entry) => entry.type === change.type && entry.path === (change.path ?? '')),
  );
}

/** How to record each unrecorded break, for the message of a failed check. */
export function describeUnrecorded(changes: Change[], intendedFile: string): string {
  const entries = changes.map((change) => ({
    type: change.type,
    path: change.path ?? '',
    reason: 'why clients can live with this',
  }));
  return [
    ...changes.map((change) => `  - ${change.message}`),
    `If these are intended, add to ${intendedFile}:`,
    JSON.stringify(entries, null, 2),
  ].join('\n');
}
