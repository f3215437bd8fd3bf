// Only a type: it keys the phantom field, so no value of it ever exists at runtime.
declare const operationTypes: unique symbol;

/** A GraphQL document that carries the types of its result and variables. */
export interface TypedOperation<TResult, TVariables> {
  readonly document: string;
  readonly operationName: string;
  /** Never set; it only lets `request` infer the result and variable types from the operation. */
  readonly [operationTypes]?: { result: TResult; variables: TVariables };
}

/** Declares an operation. `operationName` must be the name of the operation in `document`. */
export function operation<TResult, TVariables = Record<string, never>>(
  operationName: string,
  document: string,
): TypedOperation<TResult, TVariables> {
  return { document, operationName };
}

/** The variables argument of `request`: optional only when the operation has no required variables. */
export type VariablesArgs<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];
