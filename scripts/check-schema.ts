// `npm run check:schema` (CI): the checked-in supergraph and API schema are what rover.yaml
// composes to, and every breaking change the last change of schema/api.graphql made is recorded
// in schema/intended-breaks.json.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiSchemaOf, composeSupergraph } from '@fitnexa/supergraph';
import {
  breakingChanges,
  describeUnrecorded,
  readIntendedBreaks,
  unrecorded,
} from './lib/schema-changes';

const root = join(__dirname, '..');
const API_PATH = 'schema/api.graphql';

const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/**
 * The API schema before its latest change: HEAD's when the working tree changed it, else the one
 * before the last commit that did. Undefined without git history (e.g. a tarball).
 */
function previousApiSchema(): string | undefined {
  try {
    const head = git('show', `HEAD:${API_PATH}`);
    if (head !== readFileSync(join(root, API_PATH), 'utf8')) return head;
    const last = git('log', '-n', '1', '--format=%H', '--', API_PATH).trim();
    return git('show', `${last}^:${API_PATH}`);
  } catch {
    return undefined;
  }
}

async function main() {
  const problems: string[] = [];
  const supergraph = composeSupergraph(join(root, 'rover.yaml'));
  if (supergraph !== readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8')) {
    problems.push('schema/supergraph.graphql is stale: run `npm run compose` and commit it');
  }
  const api = readFileSync(join(root, API_PATH), 'utf8');
  if (apiSchemaOf(supergraph) !== api) {
    problems.push(`${API_PATH} is stale: run \`npm run compose\` and commit it`);
  }
  const previous = previousApiSchema();
  if (previous === undefined) {
    console.log(`no earlier ${API_PATH} in git: breaking changes not checked`);
  } else {
    const breaks = unrecorded(
      await breakingChanges(previous, api),
      readIntendedBreaks(join(root, 'schema', 'intended-breaks.json')),
    );
    if (breaks.length) {
      problems.push(
        `${API_PATH} breaks clients:\n${describeUnrecorded(breaks, 'schema/intended-breaks.json')}`,
      );
    }
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log('schema: composed files fresh, no unrecorded breaking change');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
