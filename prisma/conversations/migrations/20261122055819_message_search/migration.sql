-- AlterTable (hand-edited: a generated column, which Prisma's schema cannot
-- declare; schema.prisma lists it as Unsupported("tsvector") so the diff
-- keeps it). The 'simple' configuration lower-cases and splits words without
-- language-specific stemming or stop words: chat is multilingual, and a
-- search for "the who" must still find messages about the band.
ALTER TABLE "conversations"."messages" ADD COLUMN "body_tsv" tsvector
  GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "body")) STORED;

-- CreateIndex
CREATE INDEX "messages_body_tsv_idx" ON "conversations"."messages" USING GIN ("body_tsv");
