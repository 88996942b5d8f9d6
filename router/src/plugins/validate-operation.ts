import { GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DEFAULT_OPERATION_LIMITS, operationLimitRules, type OperationLimits } from './operation-limits.js';

/** What `validateOperation` enforces besides the GraphQL spec. */
export interface ValidateOperationOptions {
  /** @default DEFAULT_OPERATION_LIMITS */
  limits?: OperationLimits;
  /** Development keeps "Did you mean …?" suggestions; production strips them. */
  development: boolean;
  /** Allow `__schema` / `__type` (Apollo Server's `introspection`). @default development */
  introspection?: boolean;
}

// The same text Apollo Server's hideSchemaDetailsFromClientErrors removes.
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * Everything Apollo Server checks on an HTTP operation, for paths that do not
 * go through it (graphql-ws subscriptions): the spec rules, no introspection
 * unless allowed, then the operation limits (only for a document that is
 * otherwise valid, as Apollo does with `maxRecursiveSelections`), with field
 * suggestions removed outside development so they cannot map the schema.
 * Parse with `{ maxTokens: limits.maxTokens }` first for the token limit.
 *
 * @returns errors with `extensions.code = GRAPHQL_VALIDATION_FAILED` (limit
 *   breaches also carry `extensions.limit`); empty when the document may run.
 */
export function validateOperation(schema: GraphQLSchema, document: DocumentNode, options: ValidateOperationOptions): GraphQLError[] {
  const limits = options.limits ?? DEFAULT_OPERATION_LIMITS;
  const introspection = options.introspection ?? options.development;
  let errors = validate(schema, document, introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule]);
  if (errors.length === 0) errors = validate(schema, document, operationLimitRules(limits));
  return errors.map(
    (error) =>
      new GraphQLError(options.development ? error.message : error.message.replace(SUGGESTION, ''), {
        nodes: error.nodes,
        extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
  );
}
