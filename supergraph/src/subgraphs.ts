import { Kind, parse, type ConstDirectiveNode } from 'graphql';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

function argument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/** The subgraphs a supergraph routes to (its `join__Graph` enum), with URL overrides applied. */
export function subgraphsOf(
  supergraphSdl: string,
  overrides: Record<string, string> = {},
): SubgraphEndpoint[] {
  const graphEnum = parse(supergraphSdl).definitions.find(
    (definition) =>
      definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph',
  );
  if (graphEnum?.kind !== Kind.ENUM_TYPE_DEFINITION)
    throw new Error('Not a supergraph: it has no join__Graph enum');
  return (graphEnum.values ?? []).map((value) => {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const name = (directive && argument(directive, 'name')) ?? value.name.value.toLowerCase();
    const url = overrides[name] ?? (directive && argument(directive, 'url'));
    if (!url)
      throw new Error(
        `Subgraph ${name} has no routing URL; set SUBGRAPH_URL_${name.toUpperCase()}`,
      );
    return { name, url };
  });
}

/** Where a subgraph serves its readiness: `/health/ready` beside its GraphQL endpoint. */
export function readinessUrl(graphqlUrl: string): string {
  return new URL('/health/ready', graphqlUrl).toString();
}
