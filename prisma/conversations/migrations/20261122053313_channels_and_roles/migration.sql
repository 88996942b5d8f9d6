-- AlterTable
ALTER TABLE "conversations"."conversations" ADD COLUMN     "archived_at" TIMESTAMPTZ(3),
ADD COLUMN     "topic" VARCHAR(250);

-- Channel directory (hand-written: expression and partial indexes, which
-- Prisma's schema cannot express and its diff leaves alone). `channels()`
-- lists live channels ordered by lower(title), id: this index serves that
-- order and the keyset cursor.
CREATE INDEX "conversations_channel_name_idx" ON "conversations"."conversations" (lower("title"), "id")
  WHERE "kind" = 'CHANNEL' AND "archived_at" IS NULL;

-- Name search is a case-insensitive substring match (lower(title) LIKE
-- '%…%'); a trigram GIN index serves it where pg_trgm is installable
-- (PostgreSQL). Embedded PGlite has no pg_trgm: there the search scans the
-- live channels, which is fine at its scale. Both blocks are no-ops there.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available; channel search will not be indexed';
END $$;

DO $$
DECLARE trgm_schema text;
BEGIN
  SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NOT NULL THEN
    EXECUTE format(
      'CREATE INDEX "conversations_channel_title_trgm_idx" ON "conversations"."conversations" USING gin (lower("title") %I.gin_trgm_ops) WHERE "kind" = ''CHANNEL'' AND "archived_at" IS NULL',
      trgm_schema);
  END IF;
END $$;
