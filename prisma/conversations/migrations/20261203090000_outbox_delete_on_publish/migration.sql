-- The relay deletes the rows it published instead of setting sent_at and
-- pruning them an hour later. Marking a row sent wrote a whole new version of
-- it (payload included: sent_at is in an index, so never a HOT update) with
-- an entry in every index, and the prune deleted it again; a delete only
-- marks the row. With no sent rows left, the two indexes that told sent from
-- unsent go: the claim walks the primary key in id order, and an insert
-- maintains that one index only.
DELETE FROM "conversations"."outbox" WHERE "sent_at" IS NOT NULL;
DROP INDEX "conversations"."outbox_unsent_idx";
DROP INDEX "conversations"."outbox_sent_at_id_idx";
ALTER TABLE "conversations"."outbox" DROP COLUMN "sent_at";
