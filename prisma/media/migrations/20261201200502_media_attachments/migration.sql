-- CreateTable
CREATE TABLE "media"."attachments" (
    "message_id" UUID NOT NULL,
    "media_id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attachments_pkey" PRIMARY KEY ("message_id","media_id")
);

-- CreateIndex
CREATE INDEX "attachments_media_id_idx" ON "media"."attachments"("media_id");

-- AddForeignKey
ALTER TABLE "media"."attachments" ADD CONSTRAINT "attachments_media_id_fkey" FOREIGN KEY ("media_id") REFERENCES "media"."media"("id") ON DELETE CASCADE ON UPDATE CASCADE;
