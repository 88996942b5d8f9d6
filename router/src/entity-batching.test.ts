import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { describe, expect, it } from 'vitest';
import { EntityFetchBatcher } from './entity-batching.js';

// The batching logic alone, against a stand-in subgraph; the end-to-end
// count of subgraph requests is in tests/fanout-resolution.e2e.ts.
type Ctx = { userId: string };
const ENTITIES = (name: string) => `query ${name}($representations:[_Any!]!){_entities(representations:$representations){...on User{displayName}}}`;

function fetchOf(context: Ctx, name: string, ids: string[], extra: Record<string, unknown> = {}): GraphQLDataSourceProcessOptions<Ctx> {
  return {
    kind: 'incoming operation',
    request: { query: ENTITIES(name), variables: { ...extra, representations: ids.map((id) => ({ __typename: 'User', id })) } },
    context,
    incomingRequestContext: {},
  } as unknown as GraphQLDataSourceProcessOptions<Ctx>;
}

/** A users subgraph that answers each representation with its displayName, or an error for ids starting with "x". */
function subgraph() {
  const calls: Array<{ query: string; ids: string[] }> = [];
  const send = async (options: GraphQLDataSourceProcessOptions<Ctx>): Promise<GatewayGraphQLResponse> => {
    const reps = (options.request.variables as { representations: Array<{ id: string }> }).representations;
    calls.push({ query: options.request.query!, ids: reps.map((r) => r.id) });
    const errors = reps.flatMap((r, i) => (r.id.startsWith('x') ? [{ message: `no ${r.id}`, path: ['_entities', i, 'displayName'] }] : []));
    return { data: { _entities: reps.map((r) => (r.id.startsWith('x') ? null : { displayName: `name of ${r.id}` })) }, ...(errors.length ? { errors } : {}) };
  };
  return { calls, send };
}

describe('EntityFetchBatcher', () => {
  it("sends one operation's entity fetches of the same selection as one request, representations de-duplicated, each answered with its own share", async () => {
    const batcher = new EntityFetchBatcher<Ctx>();
    const { calls, send } = subgraph();
    const ctx = { userId: 'u' };
    const answers = await Promise.all([
      batcher.add(fetchOf(ctx, 'Q__users__1', ['a', 'b']), send),
      batcher.add(fetchOf(ctx, 'Q__users__2', ['b']), send),
      batcher.add(fetchOf(ctx, 'Q__users__3', ['c', 'a']), send),
    ]);
    expect(calls.map((c) => c.ids)).toEqual([['a', 'b', 'c']]);
    expect(answers.map((a) => a!.data)).toEqual([
      { _entities: [{ displayName: 'name of a' }, { displayName: 'name of b' }] },
      { _entities: [{ displayName: 'name of b' }] },
      { _entities: [{ displayName: 'name of c' }, { displayName: 'name of a' }] },
    ]);
    // Shared answers are copies: the gateway merges each into its own result tree.
    expect(answers[0]!.data!._entities[1]).not.toBe(answers[1]!.data!._entities[0]);
  });

  it('re-indexes entity errors for every fetch that asked for that representation; errors without an index go to all', async () => {
    const batcher = new EntityFetchBatcher<Ctx>();
    const ctx = { userId: 'u' };
    const send = async (options: GraphQLDataSourceProcessOptions<Ctx>): Promise<GatewayGraphQLResponse> => {
      const answer = await subgraph().send(options);
      return { ...answer, errors: [...(answer.errors ?? []), { message: 'whole request warning' }] };
    };
    const [first, second] = await Promise.all([batcher.add(fetchOf(ctx, 'A', ['a', 'x1']), send), batcher.add(fetchOf(ctx, 'B', ['x1', 'x2']), send)]);
    expect(first!.errors).toEqual([{ message: 'no x1', path: ['_entities', 1, 'displayName'] }, { message: 'whole request warning' }]);
    expect(second!.errors).toEqual([
      { message: 'no x1', path: ['_entities', 0, 'displayName'] },
      { message: 'no x2', path: ['_entities', 1, 'displayName'] },
      { message: 'whole request warning' },
    ]);
    expect(second!.data).toEqual({ _entities: [null, null] });
  });

  it('never joins fetches of different operations, of other variables, or that are not entity fetches; a failed request fails each of its fetches', async () => {
    const batcher = new EntityFetchBatcher<Ctx>();
    const { calls, send } = subgraph();
    await Promise.all([
      batcher.add(fetchOf({ userId: 'alice' }, 'A', ['a']), send),
      batcher.add(fetchOf({ userId: 'bob' }, 'A', ['a']), send),
      batcher.add(fetchOf({ userId: 'bob' }, 'B', ['b'], { size: 64 }), send),
    ]);
    expect(calls).toHaveLength(3);
    const root = { ...fetchOf({ userId: 'u' }, 'R', []), request: { query: 'query R { me { id } }', variables: {} } } as GraphQLDataSourceProcessOptions<Ctx>;
    expect(batcher.add(root, send)).toBeUndefined();

    const ctx = { userId: 'u' };
    const down = async (): Promise<GatewayGraphQLResponse> => {
      throw new Error('subgraph down');
    };
    const results = await Promise.allSettled([batcher.add(fetchOf(ctx, 'A', ['a']), down), batcher.add(fetchOf(ctx, 'B', ['b']), down)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
