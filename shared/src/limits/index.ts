import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError, visit, type DocumentNode, type ValidationRule } from 'graphql';
import { ErrorCode, FitnexaError, UserInputError } from '../errors';
import { errorBody } from '../middleware/errors';

/**
 * The limits every FitNexa server puts on one operation before running it (issue 12: "every service
 * defends itself"). The gateway's are the public contract; a subgraph's are the gateway's widened
 * just enough that every fetch the gateway plans for an operation it accepted passes too.
 */
export interface OperationLimits {
  /** Nesting of fields (an inline fragment or fragment spread counts as a level). */
  depth: number;
  aliases: number;
  directives: number;
  /** graphql-armor's cost: objects 2, scalars 1, times 1.5 per level, times a literal `first`. */
  cost: number;
  /** Lexical tokens, counted by graphql-js's own parser (GRAPHQL_PARSE_FAILED past them). */
  tokens: number;
}

export const GATEWAY_LIMITS: OperationLimits = {
  depth: 12,
  aliases: 20,
  directives: 50,
  cost: 10_000,
  tokens: 2_000,
};

/**
 * What a subgraph takes: the gateway's, widened for what its query planner adds to the fetches of
 * an operation it accepted (this supergraph has no interfaces, unions or @requires; keys are `id`):
 * - depth + 1: an entity fetch `_entities(…) { ... on T { rest } }` puts `rest` two levels down,
 *   where the operation had it below a field at level ≥ 1 (`{ me { squads { … } } }` at depth 12
 *   makes a depth-13 fetch to squad);
 * - cost × 3: there `rest` also weighs 1.5 times more (one level deeper), and each entity a fetch
 *   hands on gets `__typename id` added (at most another 1.5 times);
 * - tokens: the planner inlines fragments, so a fetch can have more tokens than the operation. A
 *   fetch has at most `cost` fields (each costs at least 1); below the root a field takes at most
 *   16 tokens (alias, name, braces, three short arguments), and the root fields' arguments are at
 *   most the operation's own tokens. Such a fetch can outgrow the 1 MB body limit in theory (long
 *   fragments spread many times): the client then gets the subgraph's PAYLOAD_TOO_LARGE, not a 500.
 * - aliases and directives: the planner keeps the operation's own and adds none (it aliases only
 *   fields of abstract types), and a fetch holds a part of the operation.
 * `supergraph/test/limits.test.ts` plans operations at the gateway's limits and checks each fetch.
 */
export const SUBGRAPH_LIMITS: OperationLimits = {
  depth: GATEWAY_LIMITS.depth + 1,
  aliases: GATEWAY_LIMITS.aliases,
  directives: GATEWAY_LIMITS.directives,
  cost: GATEWAY_LIMITS.cost * 3,
  tokens: GATEWAY_LIMITS.cost * 3 * 16 + GATEWAY_LIMITS.tokens,
};

/** Request bodies (express.json's limit): PAYLOAD_TOO_LARGE (413) past it, on every server. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Operations in one HTTP batch at the gateway; subgraphs take none (the gateway never batches). */
export const MAX_BATCH = 10;

/** What an Apollo Server (or a graphql-ws server) applies for a set of limits. */
export interface AppliedLimits {
  validationRules: ValidationRule[];
  /** Field suggestions hidden (in production); graphql-armor's plugins otherwise. */
  plugins: ApolloServerPlugin[];
  parseOptions: { maxTokens: number };
  /** No "Did you mean …?" in validation messages. */
  hideSuggestions: boolean;
}

/** The validation rules, plugins and parse options that enforce `limits`. */
export function applyLimits(limits: OperationLimits, { production }: { production: boolean }) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.depth },
    costLimit: { maxCost: limits.cost },
    maxAliases: { n: limits.aliases },
    maxDirectives: { n: limits.directives },
    // Counted by graphql-js's own parser (parseOptions): armor's token plugin turned every syntax
    // error into a 500.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    validationRules: armor.validationRules,
    plugins: armor.plugins as ApolloServerPlugin[],
    parseOptions: { maxTokens: limits.tokens },
    hideSuggestions: production,
  } satisfies AppliedLimits;
}

/** A batch (a JSON array of operations) of at most `max` operations; BAD_REQUEST (400) otherwise. */
export function limitBatches(max: number): RequestHandler {
  return (req, res, next) => {
    if (Array.isArray(req.body) && req.body.length > max) {
      const message =
        max === 0
          ? 'Batched operations are not accepted here'
          : `A batch holds at most ${max} operations`;
      res.status(400).json(errorBody(ErrorCode.BAD_REQUEST, message));
      return;
    }
    next();
  };
}

/** The path of the first string holding a NUL character (PostgreSQL refuses `\u0000` in text). */
export function nulCharacterIn(
  document: DocumentNode | undefined,
  variables: Record<string, unknown> | undefined,
): string | undefined {
  const path = variables ? nulPathIn(variables) : undefined;
  if (path) return `$${path.join('.')}`;
  return document ? nulInDocument(document) : undefined;
}

/** The keys down to the first string holding a NUL; built only on the way back from one. */
function nulPathIn(value: unknown): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  const entries: Iterable<[string | number, unknown]> = Array.isArray(value)
    ? value.entries()
    : Object.entries(value);
  for (const [key, item] of entries) {
    const found = nulPathIn(item);
    if (found) return [key, ...found];
  }
  return undefined;
}

// Parsed documents are cached and shared by every request with the same query (Apollo Server's
// document store): their literals are looked through once, not per request.
const nulInDocuments = new WeakMap<DocumentNode, string | null>();

function nulInDocument(document: DocumentNode): string | undefined {
  let where = nulInDocuments.get(document);
  if (where === undefined) {
    where = null;
    visit(document, {
      StringValue(node) {
        if (where === null && node.value.includes('\u0000')) {
          where = `line ${node.loc?.startToken.line ?? '?'}`;
        }
      },
    });
    nulInDocuments.set(document, where);
  }
  return where ?? undefined;
}

/** BAD_USER_INPUT for an operation with a NUL character in any string (variables or literals). */
export function nulCharacterError(where: string) {
  return new UserInputError(`Invalid input: ${where}: must not contain NUL characters (\\u0000)`, [
    { field: where, message: 'must not contain NUL characters (\\u0000)' },
  ]).withHttpStatus(400);
}

/**
 * Refuses, before execution, an operation whose input holds a NUL character anywhere: no text
 * column takes one, and a resolver would otherwise meet it as a database error (a 500).
 */
export function refuseNulCharacters(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const where = nulCharacterIn(document, request.variables);
          if (where) throw nulCharacterError(where);
        },
      };
    },
  };
}

/**
 * Refuses, as the client's error, what would otherwise fail as a 500: an operationName the document
 * does not define (Apollo's gateway throws on it), and a subscription sent over HTTP (the gateway
 * cannot execute one; a subgraph would run its event resolver without an event). Subscriptions
 * are served over graphql-ws.
 */
export function refuseUnrunnableOperations(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            throw new GraphQLError(
              request.operationName
                ? `Unknown operation named "${request.operationName}"`
                : 'Must provide an operation',
              {
                extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } },
              },
            );
          }
          if (operation.operation === 'subscription') {
            throw new GraphQLError(
              'Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP',
              { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}

/**
 * Fields one subgraph request may resolve. Depth and cost do not bound a response: lists without
 * pages (User.squads) multiply at every level, and `_entities` takes as many representations as
 * a 1 MB body holds. 50,000 fields make a response of a few MB, far above any page the API serves.
 */
export const MAX_RESOLVED_FIELDS = 50_000;

/**
 * Stops an operation once it has resolved `max` fields (no resolver runs after that) and answers
 * one BAD_REQUEST error instead of a partial response: no single request can take the process's
 * memory or CPU.
 */
export function limitResolvedFields(max = MAX_RESOLVED_FIELDS): ApolloServerPlugin {
  const message = `The response would hold more than ${max} fields: ask for less (smaller pages, less nesting, fewer entities)`;
  return {
    async requestDidStart() {
      let resolved = 0;
      // One error for every field refused past the budget: thousands of stacks would cost more
      // than the fields themselves.
      let exceeded: FitnexaError | undefined;
      return {
        async executionDidStart() {
          return {
            willResolveField() {
              resolved += 1;
              if (resolved > max)
                throw (exceeded ??= new FitnexaError(ErrorCode.BAD_REQUEST, message));
            },
          };
        },
        async willSendResponse({ response }) {
          if (!exceeded || response.body.kind !== 'single') return;
          response.body.singleResult = {
            errors: [{ message, extensions: { code: ErrorCode.BAD_REQUEST } }],
          };
        },
      };
    },
  };
}
