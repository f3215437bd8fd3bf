import {
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * The directive by which a subgraph declares a field whose value is the same whoever asks (no
 * authorisation beyond being signed in, no viewer-dependent answer), kept in the supergraph by
 * `@composeDirective` (docs/decisions/0031). On a subscription's root field it declares the
 * events' result, not its subscribe: who may listen is still decided per caller.
 */
export const SAME_FOR_EVERY_CALLER = 'sameForEveryCaller';

/**
 * The name of the type a declared field returns, or undefined when `type.field` is not declared
 * `@sameForEveryCaller` (or does not exist): how a schema answers `selectsOnlyDeclared`.
 */
export type DeclaredField = (typeName: string, fieldName: string) => string | undefined;

/** The fragment definitions of `document`, by name. */
export const fragmentsOf = (document: DocumentNode) =>
  new Map(
    document.definitions
      .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );

/**
 * Whether every field `selectionSet` selects, through fragments and nested selections, is
 * declared. `parent` undefined: the type is known only by type conditions (the entities of a
 * federation `_entities` fetch). `__typename` is the same for everyone; a fragment that cannot be
 * found answers no.
 */
export function selectsOnlyDeclared(
  selectionSet: SelectionSetNode,
  parent: string | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  declared: DeclaredField,
): boolean {
  return selectionSet.selections.every((selection) => {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition?.name.value ?? parent;
      return selectsOnlyDeclared(selection.selectionSet, type, fragments, declared);
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      return (
        !!fragment &&
        selectsOnlyDeclared(
          fragment.selectionSet,
          fragment.typeCondition.name.value,
          fragments,
          declared,
        )
      );
    }
    const name = selection.name.value;
    if (name === '__typename') return true;
    if (!parent) return false;
    const type = declared(parent, name);
    if (type === undefined) return false;
    return (
      !selection.selectionSet ||
      selectsOnlyDeclared(selection.selectionSet, type, fragments, declared)
    );
  });
}

/** `declared` for a subgraph's own GraphQL schema: the directive as its SDL applies it. */
function declaredIn(schema: GraphQLSchema): DeclaredField {
  return (typeName, fieldName) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
    const field = type.getFields()[fieldName];
    const applied = field?.astNode?.directives?.some(
      (directive) => directive.name.value === SAME_FOR_EVERY_CALLER,
    );
    return applied ? getNamedType(field!.type).name : undefined;
  };
}

/**
 * Whether an operation's result can depend only on its variables and its root value, never on
 * who runs it: every field it selects, its root fields included, is declared
 * `@sameForEveryCaller` in `schema`. A subgraph may then run one subscription event once for every
 * caller subscribed with the same operation and variables.
 */
export function operationSameForEveryCaller(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): boolean {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return false;
  return selectsOnlyDeclared(
    operation.selectionSet,
    root.name,
    fragmentsOf(document),
    declaredIn(schema),
  );
}
