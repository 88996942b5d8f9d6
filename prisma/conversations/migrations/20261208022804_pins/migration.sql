-- CreateTable
CREATE TABLE "conversations"."pins" (
    "conversation_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "pinned_by" UUID NOT NULL,
    "pinned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pins_pkey" PRIMARY KEY ("conversation_id","message_id")
);

-- CreateIndex
CREATE INDEX "pins_message_id_idx" ON "conversations"."pins"("message_id");

-- AddForeignKey
ALTER TABLE "conversations"."pins" ADD CONSTRAINT "pins_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "conversations"."messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
