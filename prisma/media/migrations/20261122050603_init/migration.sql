-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "media";

-- CreateTable
CREATE TABLE "media"."media" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "content_type" VARCHAR(100) NOT NULL,
    "size" INTEGER NOT NULL,
    "storage_key" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "media_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "media_storage_key_key" ON "media"."media"("storage_key");

-- CreateIndex
CREATE INDEX "media_owner_id_idx" ON "media"."media"("owner_id");
