import {
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import { badInput } from '@storm/common';
import { SubscriptionField } from './protocol.js';

/**
 * A subscription turned into the query that resolves one page of its events:
 * the client's own selection set under `conversation.messages(after:)`, so
 * every field (other subgraphs' included) is resolved by the query planner.
 */
export interface SelectionPlan {
  field: SubscriptionField;
  /** Where the client expects the payload: the alias or the field name. */
  responseKey: string;
  conversationId: string;
  after: number | undefined;
  /** The page query; variables: stormConversationId, stormAfter, stormLimit + `variables`. */
  query: string;
  /** The client's variables the selection uses (and only those). */
  variables: Record<string, unknown>;
  /** Subscribers with the same key share one resolution per event. */
  groupKey: string;
}

/** Alias under which the page query always selects `seq`, whatever the client selected. */
export const SEQ_ALIAS = '_stormSeq';

/** Builds the plan from a document that already validated against the API schema. */
export function planSubscription(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): SelectionPlan {
  const root = operation.selectionSet.selections;
  const fields = root.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename');
  if (fields.length !== 1 || root.length !== fields.length) {
    throw badInput('A subscription selects exactly one root field, without fragments or __typename');
  }
  const field = fields[0]!;
  if (field.name.value !== SubscriptionField.MessageAdded) {
    throw badInput(`Unknown subscription field: ${field.name.value}`);
  }
  const arg = (name: string): unknown => {
    const node = field.arguments?.find((a) => a.name.value === name)?.value;
    return node ? valueFromASTUntyped(node as ValueNode, variables) : undefined;
  };
  const conversationId = arg('conversationId');
  if (typeof conversationId !== 'string' || conversationId.length === 0) throw badInput('conversationId is required', 'conversationId');
  const afterRaw = arg('after');
  if (afterRaw !== undefined && afterRaw !== null && (!Number.isInteger(afterRaw) || (afterRaw as number) < 0)) {
    throw badInput('after must be a non-negative integer', 'after');
  }
  const after = afterRaw === undefined || afterRaw === null ? undefined : (afterRaw as number);

  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const selection = field.selectionSet!;

  // Keep only the variables the selection and fragments use: GraphQL rejects unused ones.
  const used = new Set<string>();
  for (const node of [selection, ...fragments]) {
    visit(node, { Variable: (v) => void used.add(v.name.value) });
  }
  const varDefs = (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value));
  const usedVariables: Record<string, unknown> = {};
  for (const d of varDefs) {
    const name = d.variable.name.value;
    if (name in variables) usedVariables[name] = variables[name];
  }

  const defs = ['$stormConversationId: ID!', '$stormAfter: Int!', '$stormLimit: Int!', ...varDefs.map((d) => print(d))].join(', ');
  const query = [
    `query StormMessagePage(${defs}) {`,
    `  conversation(id: $stormConversationId) {`,
    `    lastSeq`,
    `    messages(after: $stormAfter, limit: $stormLimit) { ${SEQ_ALIAS}: seq ${print(selection).slice(1, -1)} }`,
    `  }`,
    `}`,
    ...fragments.map((f) => print(f)),
  ].join('\n');

  const groupKey = JSON.stringify([conversationId, query, sortKeys(usedVariables)]);
  return { field: SubscriptionField.MessageAdded, responseKey: field.alias?.value ?? field.name.value, conversationId, after, query, variables: usedVariables, groupKey };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
