// The gateway's result shaping: from the merged subgraph data to the response the operation asks
// for — only its fields, in its order, aliases applied, @skip/@include honoured, `__typename`
// filled in, a null in a non-null position bubbling up to the nearest nullable parent with an
// error, and values of the wrong type nulled with an error.
//
// Apollo's gateway runs its own `computeResponse` for this after every query plan; it allocates
// per field of every object (two filtered arrays for the @skip/@include check, an arguments object
// and a result object per value, two arrays per list), a fifth of the gateway's garbage on the
// benchmark's `varied` workload. This one gives the same data and the same errors (a differential
// test runs both on the same operations and inputs, test/result-shaping.test.ts) with positional
// arguments, no per-field result objects and no directive lookups for selections without
// directives (decision 0038). `useLeanResultShaping` puts it in the place of Apollo's.
import { createRequire } from 'node:module';
import * as federation from '@apollo/federation-internals';
import type {
  CompositeType,
  Directive,
  EnumType,
  Field,
  FragmentElement,
  NamedType,
  Operation,
  ScalarType,
  Schema,
  SelectionSet,
  Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';

// Taken once: each name of the package's index is a getter (its re-exports), and looked up per call
// they were a third of shaping's time.
const {
  ERRORS,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  typenameFieldName,
  Variable,
} = federation;

/** Apollo's assertion failure (an internal error): the message is built only when it fails. */
function broken(message: string): never {
  throw new Error(message);
}

type Path = (string | number)[];
type Json = Record<string, unknown>;

interface ShapingInput {
  operation: Operation;
  variables?: Record<string, unknown>;
  input: Json | null | undefined;
  introspectionHandling: (selection: unknown) => unknown;
}

interface Shaping {
  schema: Schema;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  introspectionHandling: (selection: unknown) => unknown;
  // What the last `shapeValue` call found, read right after it returns (no result object per value).
  invalid: boolean;
  hasErrors: boolean;
}

/** The response for `operation` from `input`, the data merged from its subgraph fetches. */
export function computeResponse({
  operation,
  variables,
  input,
  introspectionHandling,
}: ShapingInput): { data: Json | null | undefined; errors: GraphQLError[] } {
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  const shaping: Shaping = {
    schema,
    variables: {
      __proto__: null,
      ...operation.collectDefaultedVariableValues(),
      ...variables,
    } as Record<string, unknown>,
    errors: [],
    introspectionHandling,
    invalid: false,
    hasErrors: false,
  };
  const data: Json = Object.create(null) as Json;
  const rootType = schema.schemaDefinition.rootType(operation.rootKind)!;
  const complete = shapeSelections(shaping, input, operation.selectionSet, data, [], rootType);
  return { data: complete ? data : null, errors: shaping.errors };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Writes `selectionSet`'s part of `input` into `output`; false: a null must bubble up from it. */
function shapeSelections(
  shaping: Shaping,
  input: Json,
  selectionSet: SelectionSet,
  output: Json,
  path: Path,
  parentType: CompositeType,
): boolean {
  for (const selection of selectionSet.selections()) {
    const element = selection.element;
    if (element.appliedDirectives.length > 0 && isSkipped(shaping, element.appliedDirectives)) {
      continue;
    }
    if (selection.kind === 'FragmentSelection') {
      const typename = input[typenameFieldName];
      if (typename && typeof typename !== 'string')
        broken(`Got unexpected value for __typename: ${String(typename)}`);
      const { typeCondition } = element as FragmentElement;
      if (!appliesTo(shaping.schema, typeCondition, typename as string | undefined, parentType)) {
        continue;
      }
      const fragmentType = typeCondition ?? parentType;
      if (!shapeSelections(shaping, input, selection.selectionSet, output, path, fragmentType)) {
        return false;
      }
      continue;
    }
    const field = element as Field;
    const responseName = field.responseName();
    const existing = output[responseName];
    if (field.definition.isSchemaIntrospectionField()) {
      if (existing === undefined) output[responseName] = shaping.introspectionHandling(selection);
      continue;
    }
    let value = hasOwn.call(input, responseName) ? (input[responseName] ?? null) : null;
    if (field.name === typenameFieldName) {
      if (existing === undefined) {
        // An aliased __typename the subgraphs were asked for under its own name.
        if (value === null && responseName !== typenameFieldName) {
          value = input[typenameFieldName] ?? null;
        }
        const type =
          typeof value === 'string' ? (shaping.schema.type(value) ?? parentType) : parentType;
        if (!isObjectType(type)) return false;
        output[responseName] = type.name;
      }
      continue;
    }
    path.push(responseName);
    output[responseName] = shapeValue(
      shaping,
      existing,
      field.definition.type!,
      value,
      selection.selectionSet,
      path,
      parentType,
    );
    path.pop();
    if (shaping.invalid) return false;
  }
  return true;
}

/**
 * `input` shaped as a value of `type` (merged into `existing`, already shaped by another selection
 * of the same response name). Sets `shaping.invalid` (a null in a non-null position: the parent
 * becomes null) and `shaping.hasErrors` (an error was recorded beneath).
 */
function shapeValue(
  shaping: Shaping,
  existing: unknown,
  type: Type,
  input: unknown,
  selectionSet: SelectionSet | undefined,
  path: Path,
  parentType: CompositeType,
): unknown {
  if (input === undefined) broken('Should not pass undefined for `inputValue` to this method');
  shaping.invalid = false;
  shaping.hasErrors = false;
  if (existing === null || (existing !== undefined && !selectionSet)) return existing;

  if (isNonNullType(type)) {
    const shaped = shapeValue(
      shaping,
      existing,
      type.ofType,
      input,
      selectionSet,
      path,
      parentType,
    );
    if (shaped === null) {
      if (!shaping.hasErrors) {
        shaping.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Cannot return null for non-nullable ${describeLast(path, type.ofType, parentType)}.`,
            { path: [...path] },
          ),
        );
      }
      shaping.invalid = true;
      shaping.hasErrors = true;
      return null;
    }
    // A non-null value: whatever was recorded beneath stays beneath.
    shaping.invalid = false;
    shaping.hasErrors = false;
    return shaped;
  }

  if (input === null) return null;

  if (isListType(type)) {
    if (!Array.isArray(input))
      broken(`Invalid non-list value ${String(input)} returned by subgraph for list type ${type}`);
    if (existing !== undefined && !Array.isArray(existing))
      broken(
        `Invalid non-list value ${String(existing)} returned by subgraph for list type ${type}`,
      );
    const existingItems = existing as unknown[] | undefined;
    if (existingItems !== undefined && input.length !== existingItems.length)
      broken(
        `[${String(input)}].length (${input.length}) !== [${String(existingItems)}].length (${existingItems.length})`,
      );
    const items = new Array<unknown>(input.length);
    let nullify = false;
    let hasErrors = false;
    for (let index = 0; index < input.length; index++) {
      path.push(index);
      items[index] = shapeValue(
        shaping,
        existingItems?.[index],
        type.ofType,
        input[index],
        selectionSet,
        path,
        parentType,
      );
      path.pop();
      nullify ||= shaping.invalid;
      hasErrors ||= shaping.hasErrors;
    }
    // An invalid item nulls the list; whether that is allowed is the enclosing type's question.
    shaping.invalid = false;
    shaping.hasErrors = hasErrors;
    return nullify ? null : items;
  }

  if (isCompositeType(type)) {
    if (!selectionSet) broken(`Invalid empty selection set for composite type ${type}`);
    if (typeof input !== 'object')
      broken(
        `Invalid non-object value ${String(input)} returned by subgraph for composite type ${type}`,
      );
    if (existing !== undefined && typeof existing !== 'object')
      broken(
        `Invalid non-object value ${String(input)} returned by subgraph for composite type ${type}`,
      );
    const object = input as Json;
    const typename = object[typenameFieldName];
    if (typename !== undefined && typeof typename !== 'string')
      broken(`Invalid non-string value ${String(typename)} for __typename at ${String(path)}`);
    let objectType: CompositeType = type;
    if (typename) {
      const named = shaping.schema.type(typename);
      if (!named || !isCompositeType(named)) {
        shaping.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Invalid __typename found for object at ${describeLast(path, type, parentType)}.`,
            { path: [...path] },
          ),
        );
        shaping.invalid = false;
        shaping.hasErrors = true;
        return null;
      }
      objectType = named;
    }
    const output = (existing ?? Object.create(null)) as Json;
    const complete = shapeSelections(shaping, object, selectionSet, output, path, objectType);
    shaping.invalid = false;
    shaping.hasErrors = !complete;
    return complete ? output : null;
  }

  if (existing !== undefined)
    broken(`Excepted output to be undefined but got ${type} for type ${type}`);
  // What is neither a list nor composite in an output position is a scalar or an enum.
  const valid = isValidLeafValue(shaping.schema, input, type as ScalarType | EnumType);
  if (!valid) {
    shaping.errors.push(
      ERRORS.INVALID_GRAPHQL.err(
        `Invalid value found for ${describeLast(path, type, parentType)}.`,
        { path: [...path] },
      ),
    );
  }
  shaping.hasErrors = !valid;
  return valid ? input : null;
}

/** @skip(if: true) or @include(if: false), literally or by variable. */
function isSkipped(
  shaping: Shaping,
  directives: readonly Directive<Field | FragmentElement>[],
): boolean {
  const skip = directives.find((directive) => directive.name === 'skip');
  const include = directives.find((directive) => directive.name === 'include');
  return (
    (skip !== undefined && condition(shaping, skip)) ||
    (include !== undefined && !condition(shaping, include))
  );
}

function condition(shaping: Shaping, directive: Directive<Field | FragmentElement>): boolean {
  const value = (directive.arguments() as { if: unknown }).if;
  if (!(value instanceof Variable)) return value as boolean;
  const bound = shaping.variables[value.name];
  if (typeof bound !== 'boolean')
    broken(
      `Unexpected value ${String(bound)} for variable ${value.toString()} of ${directive.toString()}`,
    );
  return bound;
}

function appliesTo(
  schema: Schema,
  typeCondition: CompositeType | undefined,
  typename: string | undefined,
  parentType: CompositeType,
): boolean {
  if (!typeCondition) return true;
  if (!typename) return isSubtype(typeCondition, parentType);
  const type: NamedType | undefined = schema.type(typename);
  return !!type && isSubtype(typeCondition, type);
}

/** How an error names the place of the last path element: a field, or a list item. */
function describeLast(path: Path, type: Type, parentType: CompositeType): string {
  const last = path[path.length - 1];
  if (last === undefined) broken('Should not have been called on an empty path');
  return typeof last === 'string'
    ? `field ${parentType}.${last}`
    : `array element of type ${type} at index ${last}`;
}

/** Where @apollo/gateway's executor looks up its result shaping at every call. */
const APOLLO_RESULT_SHAPING = '@apollo/gateway/dist/resultShaping';

/**
 * Makes Apollo's query plan executor shape results with `computeResponse` above. Idempotent; it
 * changes nothing (and says so) if Apollo's module is not where this version of it keeps it.
 */
export function useLeanResultShaping(): boolean {
  const apollo = createRequire(__filename)(APOLLO_RESULT_SHAPING) as {
    computeResponse?: unknown;
  };
  if (typeof apollo.computeResponse !== 'function') return false;
  apollo.computeResponse = computeResponse;
  return true;
}
