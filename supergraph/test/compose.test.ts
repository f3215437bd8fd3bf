import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph, subgraphsOf } from '../src';

const root = join(__dirname, '..', '..');

describe('the checked-in supergraph', () => {
  it('when composed again from rover.yaml, then it is identical to schema/supergraph.graphql (run `npm run compose` if not)', () => {
    const checkedIn = readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8');
    expect(composeSupergraph(join(root, 'rover.yaml'))).toBe(checkedIn);
  });

  it('when read by the gateway, then every subgraph of rover.yaml has its routing URL, and overrides win', () => {
    const sdl = readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8');
    expect(subgraphsOf(sdl)).toEqual([{ name: 'identity', url: 'http://127.0.0.1:4001/graphql' }]);
    expect(subgraphsOf(sdl, { identity: 'http://identity:4001/graphql' })[0]?.url).toBe(
      'http://identity:4001/graphql',
    );
  });
});
