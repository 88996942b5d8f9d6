-- AlterTable
ALTER TABLE "users"."users" ADD COLUMN     "avatar_media_id" UUID,
ADD COLUMN     "status_text" VARCHAR(140);

-- CreateIndex
CREATE INDEX "users_handle_prefix_idx" ON "users"."users"("handle" varchar_pattern_ops);
