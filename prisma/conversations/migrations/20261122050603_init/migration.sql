-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "conversations";

-- CreateEnum
CREATE TYPE "conversations"."ConversationKind" AS ENUM ('DIRECT', 'GROUP', 'CHANNEL');

-- CreateEnum
CREATE TYPE "conversations"."MemberRole" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');

-- CreateTable
CREATE TABLE "conversations"."conversations" (
    "id" UUID NOT NULL,
    "kind" "conversations"."ConversationKind" NOT NULL,
    "title" VARCHAR(200),
    "direct_key" VARCHAR(80),
    "last_seq" INTEGER NOT NULL DEFAULT 0,
    "created_by" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversations"."memberships" (
    "conversation_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "conversations"."MemberRole" NOT NULL DEFAULT 'MEMBER',
    "last_read_seq" INTEGER NOT NULL DEFAULT 0,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("conversation_id","user_id")
);

-- CreateTable
CREATE TABLE "conversations"."messages" (
    "id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "author_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "client_msg_id" VARCHAR(64),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "edited_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversations"."outbox" (
    "id" BIGSERIAL NOT NULL,
    "subject" VARCHAR(200) NOT NULL,
    "msg_id" VARCHAR(120) NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "conversations_direct_key_key" ON "conversations"."conversations"("direct_key");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "conversations"."memberships"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "messages_conversation_id_seq_key" ON "conversations"."messages"("conversation_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "messages_conversation_id_author_id_client_msg_id_key" ON "conversations"."messages"("conversation_id", "author_id", "client_msg_id");

-- CreateIndex
CREATE INDEX "outbox_sent_at_id_idx" ON "conversations"."outbox"("sent_at", "id");

-- AddForeignKey
ALTER TABLE "conversations"."memberships" ADD CONSTRAINT "memberships_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"."conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations"."messages" ADD CONSTRAINT "messages_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"."conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateIndex (hand-written: Prisma's schema cannot express it without a
-- preview feature, and its diff leaves partial indexes alone). The outbox
-- relay polls "sent_at IS NULL ORDER BY id"; this index holds only the unsent
-- rows, so it stays tiny however long the outbox history grows.
CREATE INDEX "outbox_unsent_idx" ON "conversations"."outbox"("id") WHERE "sent_at" IS NULL;
