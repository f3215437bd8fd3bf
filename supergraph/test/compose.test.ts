import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { apiSchemaOf, composeSupergraph, subgraphsOf } from '../src';

const root = join(__dirname, '..', '..');

describe('the checked-in supergraph', () => {
  it('when composed again from rover.yaml, then it is identical to schema/supergraph.graphql (run `npm run compose` if not)', () => {
    const checkedIn = readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8');
    expect(composeSupergraph(join(root, 'rover.yaml'))).toBe(checkedIn);
  });

  it('when its API schema is derived, then it is schema/api.graphql, with no federation machinery (run `npm run compose` if not)', () => {
    const supergraph = readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8');
    const api = apiSchemaOf(supergraph);
    expect(api).toBe(readFileSync(join(root, 'schema', 'api.graphql'), 'utf8'));
    expect(api).not.toMatch(/join__|link__/);
    expect(api).toContain('type User {');
  });

  it('when read by the gateway, then every subgraph of rover.yaml has its routing URL, and overrides win', () => {
    const sdl = readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8');
    const rover = parse(readFileSync(join(root, 'rover.yaml'), 'utf8')) as {
      subgraphs: Record<string, { routing_url: string }>;
    };
    const expected = Object.entries(rover.subgraphs)
      .map(([name, subgraph]) => ({ name, url: subgraph.routing_url }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(expected.map((subgraph) => subgraph.name)).toEqual([
      'gym',
      'identity',
      'messaging',
      'observability',
      'squad',
      'workout',
    ]);
    expect(subgraphsOf(sdl)).toEqual(expected);
    const overridden = subgraphsOf(sdl, { gym: 'http://gym:4002/graphql' });
    expect(overridden.find((subgraph) => subgraph.name === 'gym')?.url).toBe(
      'http://gym:4002/graphql',
    );
    expect(overridden.find((subgraph) => subgraph.name === 'identity')?.url).toBe(
      'http://127.0.0.1:4001/graphql',
    );
  });
});
