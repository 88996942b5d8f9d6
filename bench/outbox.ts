// `npm run bench -- outbox [--rows 20000] [--batch 1000] [--repeat 2]`: what
// PostgreSQL spends on an outbox row's life (insert, claim, publish mark), the
// relay's way since 2026-12-03 (delete on publish; primary key only) next to
// its former way (set sent_at, two more indexes, prune later), side by side
// on a scratch database of the real PostgreSQL. WAL bytes per row are exact;
// time per row is the server's and noisy like any timing here.
import pg from 'pg';
import { createTestDatabase } from '@storm/db/testing';
import { flag, writeReport } from './stats.js';

const PAYLOAD = `jsonb_build_object('event', 'message.added', 'conversationId', gen_random_uuid(), 'id', gen_random_uuid(), 'seq', g,
  'authorId', gen_random_uuid(), 'body', repeat('x', 80), 'committedAt', now())`;

const WAYS = {
  /** Until 2026-12-03: the unsent partial index and (sent_at, id); published rows marked, pruned at the end. */
  marked: {
    ddl: `CREATE TABLE ob (id bigserial PRIMARY KEY, subject varchar(200) NOT NULL, msg_id varchar(120) NOT NULL, payload jsonb NOT NULL,
            attempts int NOT NULL DEFAULT 0, created_at timestamptz(3) NOT NULL DEFAULT now(), sent_at timestamptz(3));
          CREATE INDEX ob_sent_at_id ON ob (sent_at, id);
          CREATE INDEX ob_unsent ON ob (id) WHERE sent_at IS NULL;`,
    claim: 'SELECT id FROM ob WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
    done: 'UPDATE ob SET sent_at = now() WHERE id = ANY($1::bigint[])',
    after: 'DELETE FROM ob WHERE sent_at IS NOT NULL',
  },
  /** Now: primary key only; published rows deleted. */
  deleted: {
    ddl: `CREATE TABLE ob (id bigserial PRIMARY KEY, subject varchar(200) NOT NULL, msg_id varchar(120) NOT NULL, payload jsonb NOT NULL,
            attempts int NOT NULL DEFAULT 0, created_at timestamptz(3) NOT NULL DEFAULT now());`,
    claim: 'SELECT id FROM ob ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
    done: 'DELETE FROM ob WHERE id = ANY($1::bigint[])',
    after: undefined,
  },
} as const;

export async function outbox(args: string[]): Promise<void> {
  const rows = Number(flag(args, 'rows', '20000'));
  const batch = Number(flag(args, 'batch', '1000'));
  const repeat = Number(flag(args, 'repeat', '2'));
  const db = await createTestDatabase();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const results: Array<{ run: number; way: string; walBytesPerRow: number; microsPerRow: number }> = [];
  try {
    for (let run = 1; run <= repeat; run++) {
      for (const [way, sql] of Object.entries(WAYS)) {
        await client.query('DROP TABLE IF EXISTS ob');
        await client.query(sql.ddl);
        // Both start after a checkpoint, so both pay the full-page writes of first touches.
        await client.query('CHECKPOINT');
        const lsn = async () => (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
        const start = await lsn();
        const t0 = performance.now();
        for (let done = 0; done < rows; done += batch) {
          // The send's insert, then the relay's transaction: claim, mark or delete.
          await client.query(
            `INSERT INTO ob (subject, msg_id, payload) SELECT 'bench.conv.' || gen_random_uuid() || '.message.added', 'message.added:' || gen_random_uuid(), ${PAYLOAD} FROM generate_series(1, $1) g`,
            [batch],
          );
          await client.query('BEGIN');
          const claimed = (await client.query<{ id: string }>(sql.claim, [batch])).rows.map((r) => r.id);
          await client.query(sql.done, [claimed]);
          await client.query('COMMIT');
        }
        if (sql.after) await client.query(sql.after);
        const micros = ((performance.now() - t0) * 1000) / rows;
        const wal = (await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS bytes', [start])).rows[0]!.bytes;
        const result = { run, way, walBytesPerRow: Math.round(Number(wal) / rows), microsPerRow: Math.round(micros * 10) / 10 };
        results.push(result);
        console.log(`run ${run}  ${way.padEnd(8)} ${String(result.walBytesPerRow).padStart(6)} WAL bytes/row  ${result.microsPerRow.toFixed(1).padStart(6)} µs/row (client round trips included)`);
      }
    }
  } finally {
    await client.end();
    await db.drop();
  }
  const file = await writeReport('outbox', { rows, batch, ways: Object.fromEntries(Object.entries(WAYS).map(([k, v]) => [k, { claim: v.claim, done: v.done, after: v.after ?? null }])), results });
  console.log(`report: ${file}`);
}
