import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import YAML from 'yaml';

interface RoverConfig {
  federation_version?: string;
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}

/** Composes the supergraph Rover's config describes, as `rover supergraph compose` would. */
export function composeSupergraph(roverConfigPath: string): string {
  const config = YAML.parse(readFileSync(roverConfigPath, 'utf8')) as RoverConfig;
  const base = dirname(roverConfigPath);
  const result = composeServices(
    Object.entries(config.subgraphs).map(([name, subgraph]) => ({
      name,
      url: subgraph.routing_url,
      typeDefs: parse(readFileSync(resolve(base, subgraph.schema.file), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new Error(
      `Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`,
    );
  }
  return result.supergraphSdl + '\n';
}
