-- AlterTable
ALTER TABLE "conversations"."conversations" ADD COLUMN     "last_event" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "conversations"."conversation_events" (
    "conversation_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "event" VARCHAR(40) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversation_events_pkey" PRIMARY KEY ("conversation_id","position")
);

-- CreateIndex
CREATE INDEX "conversation_events_created_at_idx" ON "conversations"."conversation_events"("created_at");

-- AddForeignKey
ALTER TABLE "conversations"."conversation_events" ADD CONSTRAINT "conversation_events_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"."conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
