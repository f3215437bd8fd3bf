import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type SubscriptionNode } from '@apollo/query-planner';
import { applyLimits, GATEWAY_LIMITS, SUBGRAPH_LIMITS } from '@fitnexa/shared/limits';
import {
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';

// Every fetch the gateway plans for an operation it accepts must pass the subgraph's own limits
// (SUBGRAPH_LIMITS), or the subgraph would refuse what the gateway let through. Operations at the
// gateway's limits, hand-made and generated, are planned with Apollo's planner on the real
// supergraph, and each fetch is checked as the subgraph checks it.

const supergraph = Supergraph.build(
  readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'),
);
const apiSchema = supergraph.apiSchema();
const api = apiSchema.toGraphQLJSSchema();
const planner = new QueryPlanner(supergraph);
const gateway = applyLimits(GATEWAY_LIMITS, { production: true });
const subgraph = applyLimits(SUBGRAPH_LIMITS, { production: true });

const acceptedByGateway = (document: DocumentNode) =>
  validate(api, document, [...specifiedRules, ...gateway.validationRules]).length === 0;

function fetchesOf(node: PlanNode | SubscriptionNode | undefined): string[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node.operation];
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetchesOf);
    case 'Flatten':
      return fetchesOf(node.node);
    case 'Condition':
      return [...fetchesOf(node.ifClause), ...fetchesOf(node.elseClause)];
    default:
      throw new Error(`no such plan node in these operations: ${node.kind}`);
  }
}

/** The subgraph's refusals of the fetches planned for `query`, with the fetch refused. */
function refusedFetches(query: string): string[] {
  const document = parse(query);
  const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document));
  return fetchesOf(plan.node).flatMap((fetch) => {
    try {
      const fetchDocument = parse(fetch, subgraph.parseOptions);
      // The limit rules look at the document only: the API schema stands in for the subgraph's.
      return validate(api, fetchDocument, subgraph.validationRules).map(
        (error) => `${error.message}\n  in ${fetch}`,
      );
    } catch (error) {
      return [`${String(error)}\n  in ${fetch}`];
    }
  });
}

/** A seeded pseudo-random source, so a failure is the same on every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * An operation from the API schema: at each level a few fields, preferring those that lead to
 * other types (across subgraphs), as deep as `depth`, with aliases and literal `first`s here and
 * there. Required arguments are variables.
 */
function generatedOperation(next: () => number, depth: number) {
  const variables: string[] = [];
  let aliases = 0;
  const selection = (type: GraphQLObjectType, left: number): string => {
    const fields = Object.values(type.getFields());
    const objects = fields.filter((field) => !isLeafType(getNamedType(field.type)));
    const leaves = fields.filter((field) => isLeafType(getNamedType(field.type)));
    const picked = new Set<GraphQLField<unknown, unknown>>();
    if (left > 1 && objects.length) {
      for (let i = 0; i < 1 + Math.floor(next() * 3); i += 1) {
        picked.add(objects[Math.floor(next() * objects.length)]!);
      }
    }
    if (leaves.length) picked.add(leaves[Math.floor(next() * leaves.length)]!);
    if (!picked.size) return '__typename';
    return [...picked]
      .map((field) => {
        const args = field.args
          .map((arg) => {
            if (arg.name === 'first' && next() < 0.5) return `first: ${next() < 0.5 ? 100 : 5}`;
            if (!isNonNullType(arg.type)) return undefined;
            const variable = `$v${variables.length}`;
            variables.push(`${variable}: ${arg.type.toString()}`);
            return `${arg.name}: ${variable}`;
          })
          .filter(Boolean);
        const alias = aliases < GATEWAY_LIMITS.aliases && next() < 0.2 ? `a${aliases++}: ` : '';
        const named = getNamedType(field.type);
        const sub = isObjectType(named) ? ` { ${selection(named, left - 1)} }` : '';
        return `${alias}${field.name}${args.length ? `(${args.join(', ')})` : ''}${sub}`;
      })
      .join(' ');
  };
  const body = selection(api.getQueryType()!, depth);
  return `query G${variables.length ? `(${variables.join(', ')})` : ''} { ${body} }`;
}

/** `levels` fields alternating User.squads and Squad.owner: squad's entity fetch below identity. */
const squadsAndOwners = (levels: number): string =>
  Array.from({ length: levels }, (_, i) => (i % 2 === 0 ? 'squads {' : 'owner {')).join(' ') +
  ` ${levels % 2 === 0 ? 'id' : 'name'} ` +
  '}'.repeat(levels);

describe('what the gateway plans for an operation it accepts passes the subgraph limits', () => {
  it.each([
    [
      'at the depth limit, the deepest part in an entity fetch',
      `{ me { ${squadsAndOwners(GATEWAY_LIMITS.depth - 2)} } }`,
    ],
    [
      'at the alias limit, every alias in an entity fetch',
      `{ me { ${Array.from({ length: GATEWAY_LIMITS.aliases }, (_, i) => `s${i}: squads { name }`).join(' ')} } }`,
    ],
    [
      'at the directive limit',
      `query D($yes: Boolean!) { me { squads @include(if: $yes) { ${'... @skip(if: false) { name } '.repeat(GATEWAY_LIMITS.directives - 1)} } } }`,
    ],
    [
      'near the cost limit, with entity fetches under a page of 100',
      '{ users(first: 100) { edges { node { displayName squads { name owner { displayName } } } } } }',
    ],
    [
      'a fragment spread at many places',
      `query F { me { ...U squads { owner { ...U squads { owner { ...U } } } } } } fragment U on User { id displayName squads { name } }`,
    ],
  ])('when an operation is %s, then every fetch passes', (_, query) => {
    expect(acceptedByGateway(parse(query))).toBe(true);
    expect(refusedFetches(query)).toEqual([]);
  });

  it('when 150 generated operations are accepted by the gateway, then every fetch planned for them passes', () => {
    const next = random(12);
    let accepted = 0;
    const refused: string[] = [];
    for (let i = 0; i < 150; i += 1) {
      const query = generatedOperation(next, 2 + Math.floor(next() * (GATEWAY_LIMITS.depth - 1)));
      if (!acceptedByGateway(parse(query))) continue;
      accepted += 1;
      refused.push(...refusedFetches(query));
    }
    console.info(`${accepted} of 150 generated operations accepted by the gateway`);
    expect(accepted).toBeGreaterThan(75);
    expect(refused).toEqual([]);
  });
});
