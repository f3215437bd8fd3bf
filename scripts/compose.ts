import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph } from '@fitnexa/supergraph';

const root = join(__dirname, '..');
const target = join(root, 'schema', 'supergraph.graphql');
writeFileSync(target, composeSupergraph(join(root, 'rover.yaml')));
console.log(`wrote ${target}`);
