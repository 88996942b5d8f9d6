import { Kind, parse, print, visit, type FieldNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';

/** The variables of a page query that differ per conversation; the rest are shared by the batch. */
const PER_CONVERSATION = ['stormConversationId', 'stormAfter'] as const;

/** Response key of slot `i` in a batched page query. */
export function batchAlias(i: number): string {
  return `b${i}`;
}

/**
 * Turns a page query (`conversation(id: $stormConversationId) { … messages(after:
 * $stormAfter …) }`, see selection.ts) into one that reads `slots`
 * conversations at once: the root field repeated under the aliases b0, b1, …,
 * each with its own `$stormConversationId_<i>` and `$stormAfter_<i>`; the
 * client's variables, `$stormLimit` and the fragments are shared.
 */
export function batchPageQuery(pageQuery: string, slots: number): string {
  const document = parse(pageQuery);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const root = operation?.selectionSet.selections[0];
  if (!operation || !root || root.kind !== Kind.FIELD || operation.selectionSet.selections.length !== 1) {
    throw new Error('batchPageQuery: not a page query');
  }
  const perConversation = new Set<string>(PER_CONVERSATION);
  const shared = (operation.variableDefinitions ?? []).filter((d) => !perConversation.has(d.variable.name.value));
  const template = (operation.variableDefinitions ?? []).filter((d) => perConversation.has(d.variable.name.value));
  const renamed = (i: number) => (name: string) => (perConversation.has(name) ? `${name}_${i}` : name);

  const variableDefinitions: VariableDefinitionNode[] = [...shared];
  const selections: FieldNode[] = [];
  for (let i = 0; i < slots; i++) {
    const rename = renamed(i);
    for (const d of template) variableDefinitions.push({ ...d, variable: { ...d.variable, name: { kind: Kind.NAME, value: rename(d.variable.name.value) } } });
    const field = visit(root, { Variable: (v) => ({ ...v, name: { kind: Kind.NAME, value: rename(v.name.value) } }) }) as FieldNode;
    selections.push({ ...field, alias: { kind: Kind.NAME, value: batchAlias(i) } });
  }
  const batched: OperationDefinitionNode = {
    ...operation,
    name: operation.name ? { kind: Kind.NAME, value: `${operation.name.value}Batch${slots}` } : undefined,
    variableDefinitions,
    selectionSet: { ...operation.selectionSet, selections },
  };
  return print({ ...document, definitions: document.definitions.map((d) => (d === operation ? batched : d)) });
}

/**
 * Slots of a batched read of `n` conversations: the next power of two, at most
 * `max` (1, 2, 4, …, 32, 50 for 50). Each slot count is its own document for
 * the router to plan and the subgraphs to parse and validate (18–67 ms the first
 * time), so a selection gets a handful of them rather than one per count; a
 * padding slot is an empty page (the last conversation after MAX_INT: one more
 * index probe, no rows).
 */
export function paddedSlots(n: number, max: number): number {
  let slots = 1;
  while (slots < n) slots *= 2;
  return Math.min(slots, Math.max(max, n));
}
