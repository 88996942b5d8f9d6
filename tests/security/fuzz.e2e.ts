// 10,000 malformed inputs thrown at the real router (issue 3, tests): access
// tokens over HTTP and in connection_init, GraphQL documents (random and
// mutated valid ones), WebSocket frames. Each must be refused with a clear
// error or close code; the router must stay up and its memory flat.
//
// Inputs come from fast-check with a seed printed on failure: rerun one
// failure with FUZZ_SEED=<seed>.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ok } from '../testkit/client.js';
import * as operations from '../testkit/operations.js';
import { CreateConversation } from '../testkit/operations.js';
import { startTestStack, type TestStack } from '../testkit/stack.js';
import { registerUser, type TestUser } from '../testkit/users.js';
import { RawSocket } from './raw-ws.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const COUNTS = { httpTokens: 2500, wsTokens: 1000, documents: 4500, frames: 2000 };
const CONCURRENCY = 16;
// Generous: CPU-bound, sharing two cores with the rest of `npm test` (about 10–20 s each when alone).
const TIMEOUT_MS = 120_000;
const WS_MAX_PAYLOAD = 64 * 1024;

/** Codes a refusal may carry; anything else (INTERNAL_SERVER_ERROR above all) is a finding. */
const REFUSAL_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'PAYLOAD_TOO_LARGE', 'OPERATION_RESOLUTION_FAILURE']);
/** Close codes a malformed frame or token may end a socket with (router/SUBSCRIPTIONS.md). */
const REFUSAL_CLOSES = new Set([4400, 4401, 4403, 4406, 4409, 4429, 1009]);

// A real GC, so heap figures compare live objects rather than garbage (no --expose-gc needed).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
};

async function pool<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

const headerSafe = (min: number, max: number) =>
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Flips characters of a real token, never the last of a segment (its low bits may be padding, so the token would still verify). */
function mutatedToken(token: string) {
  const segments = token.split('.');
  return fc
    .array(fc.tuple(fc.nat({ max: segments.length - 1 }), fc.nat(), fc.constantFrom(...'ABCabc0189-_.'.split(''))), { minLength: 1, maxLength: 4 })
    .map((edits) => {
      const out = [...segments];
      for (const [s, at, ch] of edits) {
        const seg = out[s]!;
        if (seg.length < 2) continue;
        const i = at % (seg.length - 1);
        out[s] = seg.slice(0, i) + (seg[i] === ch ? (ch === 'A' ? 'B' : 'A') : ch) + seg.slice(i + 1);
      }
      return out.join('.');
    })
    .filter((t) => t !== token);
}

function tokens(user: TestUser) {
  const header = fc.constantFrom({ alg: 'none', typ: 'JWT' }, { alg: 'HS256', typ: 'JWT' }, { alg: 'EdDSA', typ: 'JWT' }, { alg: 'RS256', kid: '../../etc/passwd' }, { alg: 'EdDSA', jku: 'http://127.0.0.1:1/keys' }, {});
  const claims = fc.record(
    {
      sub: fc.oneof(fc.constant(user.id), fc.uuid(), fc.string()),
      iss: fc.constantFrom('storm', 'evil', ''),
      aud: fc.constantFrom('storm', ['storm'], 'other'),
      exp: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(9_999_999_999)),
      typ: fc.constantFrom('access', 'refresh', 'Bearer'),
    },
    { requiredKeys: [] },
  );
  const jwtShaped = fc.tuple(header, claims, fc.oneof(fc.constant(''), headerSafe(1, 90).map(b64))).map(([h, c, s]) => `${b64(h)}.${b64(c)}.${s}`);
  return fc.oneof(
    headerSafe(1, 400),
    jwtShaped,
    mutatedToken(user.accessToken),
    fc.constantFrom(user.refreshToken, `${user.accessToken}.`, `${user.accessToken} ${user.accessToken}`, user.accessToken.split('.').slice(0, 2).join('.'), '.', '..', 'null', 'undefined'),
  );
}

function documents(valid: string[]) {
  const vocabulary = ['{', '}', '(', ')', '[', ']', ':', '$id', '$input', '!', '=', '...', '@include(if: true)', '@skip', 'query', 'mutation', 'subscription', 'fragment', 'on', 'me', 'id', 'conversation', 'conversations', 'messages', 'author', 'members', 'sendMessage', '__schema', '__typename', '__type(name: "User")', '_entities', '_service', '"str"', '"""block"""', '1', '-1.5e9', 'null', 'true', '#', '\n', ',', 'a:', '\u0000', '\uFFFF'];
  const mutate = fc
    .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'duplicate'), fc.constantFrom(...'{}()[]:$!@.,"#\\ \nab0_'.split(''))), { minLength: 1, maxLength: 6 }))
    .map(([doc, edits]) => {
      let out = doc;
      for (const [at, op, ch] of edits) {
        const i = at % (out.length + 1);
        if (op === 'insert') out = out.slice(0, i) + ch + out.slice(i);
        else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
        else if (op === 'replace') out = out.slice(0, i) + ch + out.slice(i + 1);
        else out = out.slice(0, i) + out.slice(Math.max(0, i - 20), i) + out.slice(i);
      }
      return out;
    });
  const query = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(fc.constantFrom(...vocabulary), { maxLength: 120 }).map((parts) => parts.join(' ')),
    mutate,
    mutate,
  );
  // The HTTP body around the document is fuzzed too: wrong types, extra keys.
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ query, variables: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), operationName: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), { nil: undefined }) }).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.record({ query: fc.jsonValue({ maxDepth: 2 }), extensions: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }).map((b) => JSON.stringify(b)) },
  );
}

function frames(valid: string[]) {
  const type = fc.oneof(fc.constantFrom('connection_init', 'connection_ack', 'ping', 'pong', 'subscribe', 'next', 'error', 'complete'), fc.string({ maxLength: 12 }));
  const shaped = fc
    .record(
      {
        type,
        id: fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)),
        payload: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ query: fc.oneof(fc.constantFrom(...valid), fc.string({ maxLength: 80 })), variables: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) })),
      },
      { requiredKeys: [] },
    )
    .map((m) => JSON.stringify(m));
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.integer({ min: WS_MAX_PAYLOAD + 1, max: WS_MAX_PAYLOAD + 4096 }).map((n) => Buffer.alloc(n, 0x7b)) },
  );
}

type Finding = { input: unknown; outcome: unknown };

describe(`fuzz (seed ${SEED})`, () => {
  let stack: TestStack;
  let user: TestUser;
  let health: string;
  const valid: string[] = [];
  const findings: Finding[] = [];
  const finding = (input: unknown, outcome: unknown) => {
    if (findings.length < 10) findings.push({ input: typeof input === 'string' ? input.slice(0, 300) : input, outcome });
  };
  const expectNoFindings = (what: string) => expect(findings, `${what}: rerun with FUZZ_SEED=${SEED}`).toEqual([]);
  const alive = async () => expect((await fetch(health)).status).toBe(200);

  beforeAll(async () => {
    stack = await startTestStack();
    health = stack.httpUrl.replace(/\/graphql$/, '/healthz');
    user = await registerUser(stack.httpUrl, 'fuzzer');
    await ok(stack.httpUrl, CreateConversation, { input: { kind: 'GROUP', memberIds: [] } }, user.accessToken);
    for (const doc of Object.values(operations)) valid.push(print(doc as never));
    valid.push('{ me { id handle } }', '{ conversations { id messages { seq body author { displayName } } } }');
  });
  beforeEach(() => {
    findings.length = 0;
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  async function postGraphQL(body: string, authorization?: string) {
    const res = await fetch(stack.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
    const text = await res.text();
    let json: { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  it(`refuses ${COUNTS.httpTokens} malformed access tokens over HTTP with 401 UNAUTHENTICATED`, async () => {
    const inputs = fc.sample(fc.tuple(tokens(user), fc.constantFrom('Bearer ', 'bearer ', '', 'Basic ', 'Bearer  ')), { numRuns: COUNTS.httpTokens, seed: SEED });
    const body = JSON.stringify({ query: '{ me { id } }' });
    await pool(inputs, async ([token, scheme]) => {
      const authorization = `${scheme}${token}`;
      const res = await postGraphQL(body, authorization);
      const code = res.json?.errors?.[0]?.extensions?.code;
      if (res.status !== 401 || code !== 'UNAUTHENTICATED' || res.json?.data) finding(authorization, { status: res.status, body: res.text.slice(0, 300) });
    });
    expectNoFindings('HTTP tokens');
    await alive();
  }, TIMEOUT_MS);

  it(`closes ${COUNTS.wsTokens} sockets whose connection_init carries a malformed token (4403) or payload (4400)`, async () => {
    const payloads = fc.sample(
      fc.oneof(
        { weight: 4, arbitrary: tokens(user).map((t) => ({ authorization: `Bearer ${t}` })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
        { weight: 1, arbitrary: fc.record({ authorization: fc.jsonValue({ maxDepth: 2 }) }) },
      ),
      { numRuns: COUNTS.wsTokens, seed: SEED + 1 },
    );
    await pool(payloads, async (payload) => {
      const socket = await RawSocket.open(stack.wsUrl);
      socket.send(JSON.stringify({ type: 'connection_init', payload }));
      const closed = await socket.closedWithin(5_000).catch((err: Error) => ({ code: -1, reason: err.message }));
      socket.close();
      if (![4400, 4403].includes(closed.code) || socket.messages.some((m) => m.type === 'connection_ack')) finding(payload, closed);
    });
    expectNoFindings('connection_init tokens');
    await alive();
  }, TIMEOUT_MS);

  it(`answers ${COUNTS.documents} malformed or mutated GraphQL requests with a typed error, never a 5xx, and memory stays flat`, async () => {
    const inputs = fc.sample(documents(valid), { numRuns: COUNTS.documents, seed: SEED + 2 });
    const authorization = `Bearer ${user.accessToken}`;
    const run = async (body: string) => {
      const res = await postGraphQL(body, authorization);
      if (res.status >= 500 || !res.json) return finding(body, { status: res.status, body: res.text.slice(0, 300) });
      const errors = res.json.errors ?? [];
      // A mutation that happens to be valid may succeed: that is not a refusal, but it is not a failure either.
      if (!errors.length && res.status === 200) return;
      for (const error of errors) {
        if (typeof error.message !== 'string' || !REFUSAL_CODES.has(String(error.extensions?.code))) return finding(body, { status: res.status, error });
        // A stack frame, SQL, a host or the ORM in what the client reads (the document's own text may echo back, so only what the router wrote is checked).
        const written = JSON.stringify({ m: error.message, e: error.extensions });
        if (/\s+at \S+ \(|\/work\/|node_modules|\bSELECT |\bINSERT INTO|127\.0\.0\.1|localhost|ECONN/.test(written) || /prisma/i.test(written)) return finding(body, { leaked: error });
      }
    };
    // Warm-up (caches, JIT, connection pools) before the baseline.
    await pool(inputs.slice(0, 500), run);
    const before = await liveHeap();
    await pool(inputs.slice(500), run);
    const after = await liveHeap();
    expectNoFindings('documents');
    // The router shares this process with the test; 4,000 requests leaking even 10 KiB each would show.
    const growthMiB = (after - before) / 2 ** 20;
    console.log(`[fuzz] heap after GC: ${(before / 2 ** 20).toFixed(1)} MiB → ${(after / 2 ** 20).toFixed(1)} MiB (${growthMiB >= 0 ? '+' : ''}${growthMiB.toFixed(1)} MiB over ${inputs.length - 500} requests)`);
    expect(growthMiB).toBeLessThan(40);
    await alive();
  }, TIMEOUT_MS);

  it(`refuses ${COUNTS.frames} malformed WebSocket frames, before and after connection_ack, with a protocol close or a typed error`, async () => {
    const inputs = fc.sample(fc.tuple(frames(valid), fc.boolean()), { numRuns: COUNTS.frames, seed: SEED + 3 });
    const before = await liveHeap();
    await pool(inputs, async ([frame, afterAck]) => {
      const socket = await RawSocket.open(stack.wsUrl);
      try {
        if (afterAck) {
          socket.init(user.accessToken);
          await socket.next('connection_ack');
        }
        socket.send(frame);
        // A ping after the frame: a pong (or a close) tells the frame was handled.
        socket.send({ type: 'ping' });
        const outcome = await Promise.race([socket.closed, socket.next('pong').then(() => 'open' as const, () => 'closed' as const)]);
        const closed = outcome === 'open' ? undefined : await socket.closedWithin(2_000).catch(() => undefined);
        if (outcome !== 'open' && (!closed || !REFUSAL_CLOSES.has(closed.code))) return finding(frame, { afterAck, closed });
        for (const m of socket.messages) {
          if (m.type === 'error') {
            const errors = m.payload as Array<{ extensions?: { code?: unknown } }>;
            if (!errors.every((e) => REFUSAL_CODES.has(String(e.extensions?.code)))) return finding(frame, { afterAck, message: m });
          }
          if (m.type === 'next') {
            const errors = (m.payload as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors ?? [];
            if (!errors.every((e) => REFUSAL_CODES.has(String(e.extensions?.code)))) return finding(frame, { afterAck, message: m });
          }
        }
      } catch (err) {
        finding(frame, { afterAck, error: (err as Error).message });
      } finally {
        socket.close();
      }
    });
    const after = await liveHeap();
    expectNoFindings('frames');
    console.log(`[fuzz] heap after GC around the frames: ${((after - before) / 2 ** 20).toFixed(1)} MiB`);
    expect((after - before) / 2 ** 20).toBeLessThan(40);
    await alive();
  }, TIMEOUT_MS);
});
