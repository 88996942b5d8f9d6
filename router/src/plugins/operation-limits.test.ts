import { readFileSync } from 'node:fs';
import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS, resolveOperationLimits, validateOperationLimits } from './operation-limits.js';
import { validateOperation } from './validate-operation.js';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const check = (query: string, limits = DEFAULT_OPERATION_LIMITS) => validateOperationLimits(schema, parse(query), limits).map((e) => e.extensions);

describe('operation limits', () => {
  it('lets the operations real clients send through, introspection included', () => {
    expect(check('query($id: ID!) { conversation(id: $id) { id lastSeq unreadCount members { id handle } messages(limit: 50) { seq body author { displayName } } } }')).toEqual([]);
    expect(check('subscription($c: ID!) { messageAdded(conversationId: $c, after: 0) { id seq body author { id handle displayName } } }')).toEqual([]);
    expect(check(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }))).toEqual([]);
    // Apollo Sandbox's introspection document fits the token limit with room to spare.
    expect(() => parse(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), { maxTokens: DEFAULT_OPERATION_LIMITS.maxTokens })).not.toThrow();
  });

  it('does not charge fragments for depth: a codegen client nesting fragments stays within the limit', () => {
    const limits = resolveOperationLimits({ maxDepth: 3 });
    expect(check('{ conversations { ...C } } fragment C on Conversation { ... on Conversation { messages { ...M } } } fragment M on Message { author { id } }', limits)).toEqual([
      expect.objectContaining({ limit: 'maxDepth' }),
    ]);
    expect(check('{ conversations { ...C } } fragment C on Conversation { ... on Conversation { messages { ...M } } } fragment M on Message { id }', limits)).toEqual([]);
  });

  it('names the limit each breach broke', () => {
    const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join(' ');
    expect(check(`{ ${many(16, (i) => `a${i}: me { id }`)} }`)).toEqual([expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' })]);
    expect(check(`{ me { ${many(21, () => 'id @include(if: true)')} } }`)).toEqual([expect.objectContaining({ limit: 'maxDirectives' })]);
    expect(check('{ conversations { messages { author { id } } } }', resolveOperationLimits({ maxDepth: 2 }))).toEqual([expect.objectContaining({ limit: 'maxDepth' })]);
    expect(check('{ conversations { id members { id handle } messages { id body } } }', resolveOperationLimits({ maxCost: 10 }))).toEqual([expect.objectContaining({ limit: 'maxCost' })]);
  });

  it('fills unset limits from the defaults', () => {
    expect(resolveOperationLimits({ maxDepth: 3, maxCost: undefined })).toEqual({ ...DEFAULT_OPERATION_LIMITS, maxDepth: 3 });
  });
});

describe('validateOperation (the WebSocket path)', () => {
  const run = (query: string, development: boolean, limits = DEFAULT_OPERATION_LIMITS) =>
    validateOperation(schema, parse(query), { development, limits }).map((e) => ({ message: e.message, ...e.extensions }));

  it('passes a valid subscription and query', () => {
    expect(run('subscription($c: ID!) { messageAdded(conversationId: $c) { id author { displayName } } }', false)).toEqual([]);
    expect(run('{ me { id } }', false)).toEqual([]);
  });

  it('strips field suggestions in production only', () => {
    expect(run('{ conversatons { id } }', false)).toEqual([{ message: 'Cannot query field "conversatons" on type "Query".', code: 'GRAPHQL_VALIDATION_FAILED' }]);
    expect(run('{ conversatons { id } }', true)[0]!.message).toMatch(/Did you mean "conversations"/);
  });

  it('refuses introspection in production only', () => {
    const refused = run('{ __schema { types { name } } }', false);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expect(error).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringMatching(/introspection/i) });
    expect(run('{ __schema { types { name } } }', true)).toEqual([]);
  });

  it('applies the operation limits to subscriptions', () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ');
    expect(run(`subscription { messageAdded(conversationId: "c") { ${aliases} } }`, false)).toEqual([expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' })]);
    expect(run('subscription { messageAdded(conversationId: "c") { author { id } } }', false, resolveOperationLimits({ maxDepth: 2 }))).toEqual([expect.objectContaining({ limit: 'maxDepth' })]);
  });
});
