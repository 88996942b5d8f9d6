import { GraphQLError, validate, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';

/**
 * Static limits every operation must pass before it reaches a subgraph, over
 * HTTP and over graphql-ws alike. The defaults leave room for real clients
 * (the end-to-end suite, Apollo Sandbox's introspection query, which the depth
 * and cost rules skip) while refusing documents built to exhaust the router.
 */
export interface OperationLimits {
  /** Deepest selection nesting (fragments count as their contents). @default 8 */
  maxDepth: number;
  /** Most aliased fields in one operation (`__typename` is free). @default 15 */
  maxAliases: number;
  /** Highest static cost (graphql-armor: object 2, scalar 1, ×1.5 per level, ×first/last). @default 5000 */
  maxCost: number;
  /** Most lexical tokens in a document; the parser stops reading past it. @default 2000 */
  maxTokens: number;
  /** Most directives in one operation. @default 20 */
  maxDirectives: number;
}

export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxDepth: 8,
  maxAliases: 15,
  maxCost: 5000,
  maxTokens: 2000,
  maxDirectives: 20,
});

/** The name each limit carries in `extensions.limit` when an operation breaks it. */
export type OperationLimitName = keyof Omit<OperationLimits, 'maxTokens'>;

/**
 * graphql-armor reports a breach by handing an error to `onReject`; we turn it
 * into a validation error of our own (graphql-armor's text starts with
 * "Syntax Error:", which is not what happened) so Apollo answers 400
 * GRAPHQL_VALIDATION_FAILED, exactly like any other invalid document.
 */
function reporter(limit: OperationLimitName) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(
      new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit },
      }),
    );
  };
}

/** The validation rules enforcing `limits` (token counting happens in the parser: see `parseOptions`). */
export function operationLimitRules(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): ValidationRule[] {
  // Fragments count as their contents (flattenFragments), so clients that use
  // codegen fragments pay nothing extra for them.
  const common = { propagateOnRejection: false, exposeLimits: true } as const;
  const flat = { ...common, flattenFragments: true } as const;
  return [
    maxDepthRule({ ...flat, n: limits.maxDepth, onReject: [reporter('maxDepth')] }),
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: [reporter('maxAliases')] }),
    costLimitRule({ ...flat, maxCost: limits.maxCost, onReject: [reporter('maxCost')] }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: [reporter('maxDirectives')] }),
  ] as ValidationRule[];
}

/**
 * Checks a parsed document against the operation limits only (not the
 * GraphQL spec rules: run `validate(schema, document)` for those). For paths
 * that do not go through Apollo Server, such as graphql-ws subscriptions.
 * Parse with `{ maxTokens: limits.maxTokens }` first so the token limit holds too.
 *
 * @returns the breaches, each with `extensions.code = GRAPHQL_VALIDATION_FAILED`
 *   and `extensions.limit` naming the limit; empty when the document is within them.
 */
export function validateOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: OperationLimits = DEFAULT_OPERATION_LIMITS,
): GraphQLError[] {
  return [...validate(schema, document, operationLimitRules(limits))];
}

/** Fills unset limits from the defaults. */
export function resolveOperationLimits(partial: Partial<OperationLimits> | undefined): OperationLimits {
  return { ...DEFAULT_OPERATION_LIMITS, ...Object.fromEntries(Object.entries(partial ?? {}).filter(([, v]) => v !== undefined)) };
}
