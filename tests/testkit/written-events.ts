import type pg from 'pg';
import type { TestStack } from './stack.js';

export interface WrittenEvent {
  /** Without the bus prefix, e.g. `conv.<id>.message.added`. */
  subject: string;
  payload: Record<string, unknown>;
  /** Published on the bus (the relay then deleted its outbox row), or still in the outbox. */
  sent: boolean;
}

/**
 * What the conversations service wrote as events, seen from outside: every
 * message on the stack's bus since the call, then the rows still in the
 * outbox (the relay deletes each row it published). Subscribe before the
 * actions under test; `list` filters both by conversation and subject.
 */
/** Subject and payload as one string, whatever the key order (jsonb reorders keys). */
function key(subject: string, payload: unknown): string {
  const canonical = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
      : value;
  return `${subject} ${JSON.stringify(canonical(payload))}`;
}

export async function recordWrittenEvents(stack: Pick<TestStack, 'bus' | 'busPrefix'>, db: pg.Client) {
  const published: Array<{ subject: string; payload: Record<string, unknown> }> = [];
  const strip = (subject: string) => subject.split('.').slice(1).join('.');
  const subscription = await stack.bus.subscribe(`${stack.busPrefix}.>`, (payload, subject) => {
    published.push({ subject: strip(subject), payload: payload as Record<string, unknown> });
  });
  return {
    async list(filter: { conversationId?: string; payload?: Record<string, string>; subjectEndsWith?: string } = {}): Promise<WrittenEvent[]> {
      const matches = (subject: string, payload: Record<string, unknown>) =>
        (filter.conversationId === undefined || payload.conversationId === filter.conversationId) &&
        (filter.subjectEndsWith === undefined || subject.endsWith(filter.subjectEndsWith)) &&
        Object.entries(filter.payload ?? {}).every(([key, value]) => payload[key] === value);
      const { rows } = await db.query<{ subject: string; payload: Record<string, unknown> }>(
        'SELECT subject, payload FROM conversations.outbox WHERE subject LIKE $1 ORDER BY id',
        [`${stack.busPrefix}.%`],
      );
      // A row the relay published is deleted when its batch commits: until then it is in both.
      const sent = new Set(published.map((e) => key(e.subject, e.payload)));
      return [
        ...published.filter((e) => matches(e.subject, e.payload)).map((e) => ({ ...e, sent: true })),
        ...rows
          .map((r) => ({ subject: strip(r.subject), payload: r.payload, sent: false }))
          .filter((e) => matches(e.subject, e.payload) && !sent.has(key(e.subject, e.payload))),
      ];
    },
    stop: () => subscription.unsubscribe(),
  };
}

/**
 * The outbox's id sequence: it moves with every event written, also one the
 * relay has already published and deleted, so two readings equal means no
 * event was written in between.
 */
export async function outboxPosition(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ last: string }>("SELECT last_value::text || ':' || is_called::text AS last FROM conversations.outbox_id_seq");
  return rows[0]!.last;
}
