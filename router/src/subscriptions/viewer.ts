import { Kind, parse, TypeInfo, visit, visitWithTypeInfo, getNamedType, type DocumentNode, type GraphQLSchema } from 'graphql';

/** The directive subgraphs put on fields whose value depends on who asks (composed into the supergraph). */
export const VIEWER_DIRECTIVE = 'viewer';

/**
 * `Type.field` of every field the supergraph marks `@viewer`. Read from the
 * supergraph SDL: the API schema drops composed directives.
 */
export function viewerFields(supergraphSdl: string): Set<string> {
  const fields = new Set<string>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const field of definition.fields ?? []) {
      if (field.directives?.some((d) => d.name.value === VIEWER_DIRECTIVE)) fields.add(`${definition.name.value}.${field.name.value}`);
    }
  }
  return fields;
}

/**
 * Whether a query's result depends on who runs it: it selects a `@viewer`
 * field somewhere (fragments included). Such a selection cannot be shared
 * between subscribers, nor read under a vouched batch.
 */
export function dependsOnViewer(schema: GraphQLSchema, document: DocumentNode, fields: ReadonlySet<string>): boolean {
  if (fields.size === 0) return false;
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && fields.has(`${getNamedType(parent).name}.${node.name.value}`)) {
          found = true;
          return false;
        }
        return undefined;
      },
    }),
  );
  return found;
}
