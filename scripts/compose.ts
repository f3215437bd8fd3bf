// `npm run compose`: composes the supergraph from rover.yaml and derives the public API schema.
// Refuses (writing nothing) when the API schema would break clients in a way not recorded in
// schema/intended-breaks.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiSchemaOf, composeSupergraph } from '@fitnexa/supergraph';
import {
  breakingChanges,
  describeUnrecorded,
  readIntendedBreaks,
  unrecorded,
} from './lib/schema-changes';

async function main() {
  const root = join(__dirname, '..');
  const supergraphFile = join(root, 'schema', 'supergraph.graphql');
  const apiFile = join(root, 'schema', 'api.graphql');
  const intendedFile = join(root, 'schema', 'intended-breaks.json');
  const supergraph = composeSupergraph(join(root, 'rover.yaml'));
  const api = apiSchemaOf(supergraph);
  if (existsSync(apiFile)) {
    const breaks = unrecorded(
      await breakingChanges(readFileSync(apiFile, 'utf8'), api),
      readIntendedBreaks(intendedFile),
    );
    if (breaks.length) {
      console.error(
        `The API schema would break clients; nothing written.\n${describeUnrecorded(breaks, 'schema/intended-breaks.json')}`,
      );
      process.exit(1);
    }
  }
  writeFileSync(supergraphFile, supergraph);
  writeFileSync(apiFile, api);
  console.log(`wrote ${supergraphFile} and ${apiFile}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
