import { createHash } from 'node:crypto';
import {
  baseType,
  InterfaceType,
  ObjectType,
  operationFromDocument,
  Supergraph,
  type Schema,
} from '@apollo/federation-internals';
import { buildOperationContext } from '@apollo/gateway';
import {
  QueryPlanner,
  type FetchNode,
  type PlanNode,
  type QueryPlan,
  type SubscriptionNode,
} from '@apollo/query-planner';
import { ErrorCode, errorMessage } from '@fitnexa/shared/errors';
import {
  fragmentsOf,
  SAME_FOR_EVERY_CALLER,
  selectsOnlyDeclared,
  type DeclaredField,
} from '@fitnexa/shared/graphql';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';

type OperationContext = ReturnType<typeof buildOperationContext>;

/** The schemas of the supergraph a subscription was planned on, which its events resolve with. */
export interface PlannedGraph {
  /** The supergraph's SHA-256: subscriptions share upstreams only within one graph. */
  id: string;
  apiSchema: Schema;
  apiGraphqlSchema: GraphQLSchema;
  supergraphSchema: GraphQLSchema;
}

/** A subscription, validated and planned: what goes upstream, and what runs for every event. */
export interface PlannedSubscription {
  /** Its supergraph: events keep resolving on it after the gateway moved to a newer one. */
  graph: PlannedGraph;
  document: DocumentNode;
  operationContext: OperationContext;
  /** The root field's fetch, sent over graphql-ws to the subgraph that owns the field. */
  primary: FetchNode;
  /** The primary fetch as the first step of a plan that runs once per event (entity fetches). */
  perEvent: QueryPlan;
  /**
   * Every field the per-event plan fetches is declared `@sameForEveryCaller` by its subgraph (or
   * it fetches nothing): an event's result depends on the event alone, not on whose token the
   * fetches carry, so callers who got the same event may share its result (decision 0031).
   */
  sameForEveryCaller: boolean;
}

export interface SubscriptionPlannerOptions {
  supergraphSdl: string;
  /** Extra validation rules (the gateway's depth, cost, alias and directive limits). */
  validationRules?: readonly ValidationRule[];
  maxTokens?: number;
  /** No "Did you mean …?" in validation messages (production). */
  hideSuggestions?: boolean;
}

/**
 * The service name the per-event plan gives its first fetch: the event the subgraph pushed is that
 * fetch's answer, so Apollo's executor resolves everything after it as for any query.
 */
export const EVENT_SOURCE = '__subscription_event__';

const MAX_CACHED_PLANS = 500;

/**
 * Plans subscriptions with Apollo's own query planner on the same supergraph the gateway serves:
 * a subscription's plan is `Subscription { primary: Fetch, rest }`, the primary fetch being the
 * owning subgraph's part and `rest` the entity fetches to the other subgraphs.
 */
export function createSubscriptionPlanner(options: SubscriptionPlannerOptions) {
  const supergraph = Supergraph.build(options.supergraphSdl);
  const apiSchema: Schema = supergraph.apiSchema();
  const apiGraphqlSchema: GraphQLSchema = apiSchema.toGraphQLJSSchema();
  const supergraphSchema: GraphQLSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const sameForEveryCaller = sameForEveryCallerIn(supergraph.schema);
  const graph: PlannedGraph = {
    id: createHash('sha256').update(options.supergraphSdl).digest('hex'),
    apiSchema,
    apiGraphqlSchema,
    supergraphSchema,
  };
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  const plans = new Map<string, PlannedSubscription>();

  const validationError = (error: GraphQLError) =>
    new GraphQLError(
      options.hideSuggestions ? error.message.replace(/ Did you mean .*$/, '') : error.message,
      {
        nodes: error.nodes,
        extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    );

  function planOf(query: string, operationName: string | undefined): PlannedSubscription {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: options.maxTokens });
    } catch (error) {
      throw [
        new GraphQLError(errorMessage(error), {
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        }),
      ];
    }
    const invalid = validate(apiGraphqlSchema, document, rules);
    if (invalid.length) throw invalid.map(validationError);
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      throw [
        new GraphQLError('Unable to identify the operation to run', {
          extensions: { code: ErrorCode.BAD_REQUEST },
        }),
      ];
    }
    if (operation.operation !== 'subscription') {
      throw [
        new GraphQLError(
          'Only subscriptions are served over WebSocket; send queries and mutations over HTTP',
          { extensions: { code: ErrorCode.BAD_REQUEST } },
        ),
      ];
    }
    const plan = planner.buildQueryPlan(
      operationFromDocument(apiSchema, document, { operationName, validate: false }),
    );
    const node = plan.node;
    if (node?.kind !== 'Subscription') {
      throw new Error(`The planner gave a ${node?.kind ?? 'empty'} plan for a subscription`);
    }
    return {
      graph,
      document,
      operationContext: buildOperationContext({
        schema: apiGraphqlSchema,
        operationDocument: document,
        operationName,
      }),
      primary: node.primary,
      perEvent: perEventPlan(node),
      sameForEveryCaller: !node.rest || sameForEveryCaller(node.rest),
    };
  }

  return {
    apiSchema,
    apiGraphqlSchema,
    supergraphSchema,
    /**
     * The plan of a subscription (cached by document and operation name), or the GraphQL errors
     * that refuse it: parse, validation (unknown fields, limits), not a subscription.
     */
    plan(query: string, operationName: string | undefined): PlannedSubscription {
      const key = `${operationName ?? ''}\n${query}`;
      const cached = plans.get(key);
      if (cached) return cached;
      const planned = planOf(query, operationName);
      if (plans.size >= MAX_CACHED_PLANS) plans.delete(plans.keys().next().value!);
      plans.set(key, planned);
      return planned;
    },
    /** Variables checked against the operation's definitions: BAD_USER_INPUT errors, if any. */
    variableErrors(
      planned: PlannedSubscription,
      variables: Record<string, unknown> | null | undefined,
    ): GraphQLError[] {
      const { errors } = getVariableValues(
        apiGraphqlSchema,
        planned.operationContext.operation.variableDefinitions ?? [],
        variables ?? {},
      );
      return (errors ?? []).map(
        (error) =>
          new GraphQLError(error.message, {
            nodes: error.nodes,
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
      );
    },
  };
}

function perEventPlan(node: SubscriptionNode): QueryPlan {
  const event: FetchNode = { ...node.primary, serviceName: EVENT_SOURCE };
  const root: PlanNode = node.rest ? { kind: 'Sequence', nodes: [event, node.rest] } : event;
  return { kind: 'QueryPlan', node: root };
}

/**
 * Whether a plan's fetches select only fields their subgraphs declare `@sameForEveryCaller` (and
 * `__typename`), on the supergraph's schema. Anything it does not recognise (a node kind, a root
 * field other than `_entities`, a field it cannot find) answers no.
 */
function sameForEveryCallerIn(schema: Schema) {
  const declared: DeclaredField = (typeName, fieldName) => {
    const type = schema.type(typeName);
    if (!(type instanceof ObjectType || type instanceof InterfaceType)) return undefined;
    const field = type.field(fieldName);
    return field?.hasAppliedDirective(SAME_FOR_EVERY_CALLER)
      ? baseType(field.type!).name
      : undefined;
  };

  function fetches(fetch: FetchNode): boolean {
    const document = parse(fetch.operation);
    const fragments = fragmentsOf(document);
    return document.definitions.every((definition) => {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) return true;
      if (definition.kind !== Kind.OPERATION_DEFINITION) return false;
      return definition.selectionSet.selections.every(
        (root) =>
          root.kind === Kind.FIELD &&
          root.name.value === '_entities' &&
          !!root.selectionSet &&
          selectsOnlyDeclared(root.selectionSet, undefined, fragments, declared),
      );
    });
  }

  return function plan(node: PlanNode): boolean {
    switch (node.kind) {
      case 'Fetch':
        return fetches(node);
      case 'Flatten':
        return plan(node.node);
      case 'Sequence':
      case 'Parallel':
        return node.nodes.every(plan);
      default:
        return false;
    }
  };
}
