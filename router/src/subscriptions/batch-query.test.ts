import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, getOperationAST, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { batchAlias, batchPageQuery, TurnBatches } from './batch-query.js';
import { planSubscription, type EventsPlan, type SelectionPlan } from './selection.js';
import { dependsOnViewer, viewerFields } from './viewer.js';

const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8'));
const supergraph = readFileSync(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url)), 'utf8');

function plan(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  expect(validate(schema, document)).toEqual([]);
  return planSubscription(document, getOperationAST(document)!, variables) as SelectionPlan | EventsPlan;
}

describe('batched page queries', () => {
  it('repeats the page under one alias per conversation, with per-slot ids and cursors and shared client variables and fragments', () => {
    const p = plan(
      `subscription S($c: ID!, $big: Boolean!) { messageAdded(conversationId: $c) { ...M author @include(if: $big) { displayName } } }
       fragment M on Message { id body }`,
      { c: 'x', big: true },
    );
    const batched = batchPageQuery(p.query, 3);
    expect(validate(schema, parse(batched)).map((e) => e.message)).toEqual([]);
    const operation = getOperationAST(parse(batched))!;
    const names = operation.variableDefinitions!.map((d) => d.variable.name.value).sort();
    expect(names).toEqual(['big', 'stormAfter_0', 'stormAfter_1', 'stormAfter_2', 'stormConversationId_0', 'stormConversationId_1', 'stormConversationId_2', 'stormLimit'].sort());
    const aliases = operation.selectionSet.selections.map((s) => ('alias' in s ? s.alias?.value : undefined));
    expect(aliases).toEqual([batchAlias(0), batchAlias(1), batchAlias(2)]);
    expect(batched).toContain('conversation(id: $stormConversationId_2)');
    expect(batched).toContain('messages(after: $stormAfter_2, limit: $stormLimit)');
    expect(batched).toContain('fragment M on Message');
  });

  it('works for conversationEvents pages too', () => {
    const p = plan('subscription { conversationEvents(conversationId: "c") { kind seq message { id author { handle } } } }');
    expect(validate(schema, parse(batchPageQuery(p.query, 2))).map((e) => e.message)).toEqual([]);
  });
});

describe('viewer-dependent selections', () => {
  const marked = viewerFields(supergraph);

  it('reads the @viewer marks of the supergraph', () => {
    for (const coordinate of ['Message.mentionsMe', 'ReactionGroup.reactedByMe', 'Conversation.unreadCount', 'Conversation.mentionCount', 'Conversation.myRole', 'Message.attachments']) {
      expect(marked.has(coordinate), coordinate).toBe(true);
    }
    expect(marked.has('Message.body')).toBe(false);
    // An avatar is shown to anyone signed in: shared.
    expect(marked.has('User.avatar')).toBe(false);
  });

  it('finds a viewer field anywhere in the generated query, fragments included, and nothing in a neutral one', () => {
    const neutral = plan('subscription { messageAdded(conversationId: "c") { id body author { displayName } reactions { emoji count } } }');
    expect(dependsOnViewer(schema, parse(neutral.query), marked)).toBe(false);
    const direct = plan('subscription { messageAdded(conversationId: "c") { id mentionsMe } }');
    expect(dependsOnViewer(schema, parse(direct.query), marked)).toBe(true);
    const nested = plan('subscription { messageAdded(conversationId: "c") { ...R } } fragment R on Message { reactions { reactedByMe } }');
    expect(dependsOnViewer(schema, parse(nested.query), marked)).toBe(true);
    const events = plan('subscription { conversationEvents(conversationId: "c") { kind conversation { unreadCount } } }') as EventsPlan;
    expect(dependsOnViewer(schema, parse(events.eventQuery!), marked)).toBe(true);
  });
});

describe('TurnBatches', () => {
  it('sends what arrives in one turn as one batch, keeps at most `concurrency` running, and lets the waiting ones leave together, in order', async () => {
    const batches: number[][] = [];
    let running = 0;
    let peak = 0;
    let idle = 0;
    const releases: Array<() => void> = [];
    const queue = new TurnBatches<number>(
      2,
      (waiting) => Math.min(waiting.length, 3),
      async (batch) => {
        batches.push(batch);
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => releases.push(r));
        running--;
      },
      () => idle++,
    );
    for (let i = 0; i < 10; i++) queue.push(i);
    await new Promise((r) => setImmediate(r));
    // Two batches of three leave; the other four wait.
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(queue.load).toEqual({ inFlight: 2, queued: 4 });
    while (batches.flat().length < 10 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(2);
    expect(queue.load).toEqual({ inFlight: 0, queued: 0 });
    expect(idle).toBe(1);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new TurnBatches<number>(bad, () => 1, async () => {})).toThrow(RangeError);
  });
});
