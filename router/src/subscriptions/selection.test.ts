import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, getOperationAST, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { planSubscription, type EventsPlan, type SelectionPlan } from './selection.js';

// The API schema clients see (written by `npm run compose`).
const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8'));

function plan(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  expect(validate(schema, document)).toEqual([]);
  return planSubscription(document, getOperationAST(document)!, variables);
}

/** Every query the router will send must itself be valid: unused variables or fragments are errors. */
function expectValid(query: string | undefined) {
  expect(query).toBeDefined();
  expect(validate(schema, parse(query!)).map((e) => e.message)).toEqual([]);
}

describe('subscription plans', () => {
  it('messageAdded: keeps only the variables and fragments the selection uses', () => {
    const p = plan(
      `subscription S($c: ID!, $withAuthor: Boolean!) { messageAdded(conversationId: $c) { ...M author @include(if: $withAuthor) { displayName } } }
       fragment M on Message { id body }`,
      { c: 'x', withAuthor: true },
    ) as SelectionPlan;
    expectValid(p.query);
    expect(p.variables).toEqual({ withAuthor: true });
  });

  it('conversationEvents: event-level fragments flattened, each query declares only what it uses', () => {
    const p = plan(
      `subscription S($c: ID!, $big: Boolean!) { conversationEvents(conversationId: $c) { ...Ev when: seq user { id handle @include(if: $big) } } }
       fragment Ev on ConversationEvent { kind message { ...M } }
       fragment M on Message { id body }`,
      { c: 'x', big: false },
    ) as EventsPlan;
    expectValid(p.query);
    expectValid(p.eventQuery);
    expect(p.local).toEqual([
      ['kind', 'kind'],
      ['when', 'seq'],
    ]);
    expect(p.resolvedKeys.map(([key]) => key).sort()).toEqual(['message', 'user']);
  });

  it('conversationEvents with only local fields needs no event query', () => {
    const p = plan(`subscription { conversationEvents(conversationId: "x") { kind seq } }`) as EventsPlan;
    expectValid(p.query);
    expect(p.eventQuery).toBeUndefined();
  });

  it('refuses a malformed after with BAD_USER_INPUT on after', () => {
    expect(() => plan(`subscription { messageAdded(conversationId: "x", after: -1) { id } }`)).toThrowError(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }));
  });

  it('takes conversationId as an ID does (a string or an integer) and refuses anything else, or a non-id string, on conversationId', () => {
    const source = 'subscription S($c: ID!) { messageAdded(conversationId: $c) { id } }';
    expect((plan(source, { c: 12345 }) as SelectionPlan).conversationId).toBe('12345');
    const refused = (c: unknown, message: RegExp) =>
      expect(() => plan(source, { c })).toThrowError(expect.objectContaining({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', field: 'conversationId' } }));
    refused(undefined, /required/);
    refused('', /required/);
    refused({ id: 'x' }, /must be an ID/);
    refused(true, /must be an ID/);
    refused(1.5, /must be an ID/);
    refused('a.b', /not a conversation id/);
    refused('*', /not a conversation id/);
    refused('x'.repeat(65), /not a conversation id/);
  });
});
