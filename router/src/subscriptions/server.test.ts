// The subscribe path's cache of parsed and validated documents, as pure logic.
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_DOCUMENTS, MAX_CACHED_DOCUMENT_LENGTH, PreparedDocuments } from './server.js';

const schemaA = buildSchema('type Query { a: Int } type Subscription { a: Int }');
const schemaB = buildSchema('type Query { b: Int } type Subscription { b: Int }');

function counting() {
  const calls: string[] = [];
  const documents = new PreparedDocuments((_schema, query) => {
    calls.push(query);
    return query.startsWith('bad') ? { errors: [{ message: 'invalid', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] } : { document: parse(query) };
  });
  return { documents, calls };
}

describe('PreparedDocuments', () => {
  it('prepares a text once per schema and hands every later subscribe the same result, errors included', () => {
    const { documents, calls } = counting();
    const first = documents.get(schemaA, 'subscription { a }');
    expect(documents.get(schemaA, 'subscription { a }')).toBe(first);
    expect(documents.get(schemaA, 'bad one')).toEqual({ errors: [expect.objectContaining({ message: 'invalid' })] });
    documents.get(schemaA, 'bad one');
    expect(calls).toEqual(['subscription { a }', 'bad one']);
    // A new schema (the gateway reloaded the supergraph): validated again.
    documents.get(schemaB, 'subscription { a }');
    expect(calls).toHaveLength(3);
  });

  it('keeps at most MAX_CACHED_DOCUMENTS, least recently used out first, and never caches long texts', () => {
    const { documents, calls } = counting();
    const query = (i: number) => `subscription { a # ${i}\n }`;
    documents.get(schemaA, query(0));
    for (let i = 1; i <= MAX_CACHED_DOCUMENTS; i++) {
      documents.get(schemaA, query(i));
      if (i === MAX_CACHED_DOCUMENTS - 1) documents.get(schemaA, query(0)); // touched: not the oldest any more
    }
    calls.length = 0;
    documents.get(schemaA, query(0));
    documents.get(schemaA, query(1)); // the least recently used: evicted
    expect(calls).toEqual([query(1)]);
    const long = `subscription { a ${'#'.repeat(MAX_CACHED_DOCUMENT_LENGTH)}\n }`;
    documents.get(schemaA, long);
    documents.get(schemaA, long);
    expect(calls.filter((q) => q === long)).toHaveLength(2);
  });
});
