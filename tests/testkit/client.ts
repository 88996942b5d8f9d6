import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

type Doc<R, V> = TypedDocumentNode<R, V> | string;
const text = <R, V>(doc: Doc<R, V>) => (typeof doc === 'string' ? doc : print(doc));

export interface GraphQLResponse<R> {
  status: number;
  data?: R | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> & { code?: string; field?: string } }>;
}

/** One POST /graphql as a client would send it. */
export async function request<R, V>(url: string, doc: Doc<R, V>, variables?: V, token?: string): Promise<GraphQLResponse<R>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: text(doc), variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<R>, 'status'>;
  return { status: res.status, ...body };
}

/** Like request(), but fails the test on any error and returns data. */
export async function ok<R, V>(url: string, doc: Doc<R, V>, variables?: V, token?: string): Promise<R> {
  const res = await request(url, doc, variables, token);
  if (res.errors?.length || !res.data) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** A graphql-ws client authenticated with `token` (no retries: tests see every failure). */
export function wsClient(wsUrl: string, token: string | undefined, extra: { lazy?: boolean } = {}): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: extra.lazy ?? true,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/**
 * A subscription whose events are recorded; `next(n)` waits until n events
 * arrived (or fails after timeoutMs), `error` holds a terminal error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variables are checked where the document is written
export class Recorder<R> {
  readonly events: ExecutionResult<R>[] = [];
  error: unknown;
  completed = false;
  private waiters: Array<() => void> = [];
  readonly unsubscribe: () => void;

  constructor(client: Client, doc: Doc<R, any>, variables: Record<string, unknown>) {
    this.unsubscribe = client.subscribe<R>(
      { query: text(doc), variables },
      {
        next: (value) => {
          this.events.push(value as ExecutionResult<R>);
          this.notify();
        },
        error: (err) => {
          this.error = err;
          this.notify();
        },
        complete: () => {
          this.completed = true;
          this.notify();
        },
      },
    );
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `count` events arrived, or rejects on error/complete/timeout. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<ExecutionResult<R>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (this.error) throw new Error(`subscription failed: ${JSON.stringify(this.error)}`);
      if (this.completed) throw new Error(`subscription completed after ${this.events.length} of ${count} events`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.events.length} of ${count} events`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.events.slice(0, count);
  }

  /** Resolves when the subscription ended with an error (or rejects on timeout). */
  async waitForError(timeoutMs = 10_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (!this.error) {
      if (Date.now() > deadline) throw new Error('no error arrived');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.error;
  }
}
