-- DropIndex
DROP INDEX "media"."media_owner_id_idx";

-- CreateIndex
CREATE INDEX "media_owner_id_created_at_id_idx" ON "media"."media"("owner_id", "created_at", "id");
