import { GraphQLError, Kind, parse, print, visit, type FieldNode, type GraphQLFormattedError, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';

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

/**
 * Items pushed within one turn of the event loop leave together, as one batch
 * (`take` says how many of the waiting items, in arrival order, the next batch
 * holds), with at most `concurrency` batches running; items pushed meanwhile
 * wait and leave with the next one, so under load batches grow instead of
 * piling up. `run` must not reject: it answers its items itself. `onIdle`:
 * nothing waits and nothing runs any more.
 */
export class TurnBatches<T> {
  private queue: T[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly concurrency: number,
    private readonly take: (waiting: readonly T[]) => number,
    private readonly run: (batch: T[]) => Promise<void>,
    private readonly onIdle?: () => void,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }

  /** Batches running, and items waiting for one. */
  get load(): { inFlight: number; queued: number } {
    return { inFlight: this.running, queued: this.queue.length };
  }

  push(item: T): void {
    this.queue.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    while (this.running < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, Math.max(1, this.take(this.queue)));
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        if (this.queue.length > 0) this.schedule();
        else if (this.running === 0) this.onIdle?.();
      });
    }
  }
}

/** A subgraph's (formatted) error of an internal read, raised again as it was: message and extensions. */
export function toError(formatted: GraphQLFormattedError): GraphQLError {
  return new GraphQLError(formatted.message, { extensions: formatted.extensions });
}
