-- AlterTable
ALTER TABLE "conversations"."messages" ADD COLUMN     "reply_to_id" UUID;

-- CreateTable
CREATE TABLE "conversations"."reactions" (
    "message_id" UUID NOT NULL,
    "emoji" VARCHAR(64) NOT NULL,
    "user_id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reactions_pkey" PRIMARY KEY ("message_id","emoji","user_id")
);

-- CreateTable
CREATE TABLE "conversations"."mentions" (
    "message_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,

    CONSTRAINT "mentions_pkey" PRIMARY KEY ("message_id","user_id")
);

-- CreateIndex
CREATE INDEX "mentions_user_id_conversation_id_seq_idx" ON "conversations"."mentions"("user_id", "conversation_id", "seq");

-- CreateIndex
CREATE INDEX "messages_reply_to_id_seq_idx" ON "conversations"."messages"("reply_to_id", "seq");

-- AddForeignKey
ALTER TABLE "conversations"."messages" ADD CONSTRAINT "messages_reply_to_id_fkey" FOREIGN KEY ("reply_to_id") REFERENCES "conversations"."messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations"."reactions" ADD CONSTRAINT "reactions_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "conversations"."messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations"."mentions" ADD CONSTRAINT "mentions_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "conversations"."messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
