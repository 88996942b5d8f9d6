import { describe, expect, it } from 'vitest';
import { freshPerMutation } from './fresh-per-mutation.js';

describe('freshPerMutation', () => {
  it('refreshes the context the resolver receives before each mutation field, and leaves the rest alone', () => {
    const calls: string[] = [];
    const query = () => 'q';
    const wrapped = freshPerMutation(
      {
        Query: { query },
        Mutation: { first: (_r: unknown, _a: unknown, ctx: { generation: number }) => `first saw ${ctx.generation}`, second: (_r: unknown, _a: unknown, ctx: { generation: number }) => `second saw ${ctx.generation}` },
      },
      (ctx: { generation: number }) => {
        ctx.generation++;
        calls.push('refresh');
      },
    );
    const ctx = { generation: 0 };
    const mutation = wrapped.Mutation as Record<string, (r: unknown, a: unknown, c: { generation: number }, i: unknown) => string>;
    expect([mutation.first!(null, {}, ctx, null), mutation.second!(null, {}, ctx, null)]).toEqual(['first saw 1', 'second saw 2']);
    expect(calls).toEqual(['refresh', 'refresh']);
    expect(wrapped.Query.query).toBe(query);
    const none = { Query: { query } };
    expect(freshPerMutation(none, () => {})).toBe(none);
  });
});
