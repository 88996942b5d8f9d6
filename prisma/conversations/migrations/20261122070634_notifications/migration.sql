-- CreateEnum
CREATE TYPE "conversations"."NotificationKind" AS ENUM ('MENTION', 'DIRECT_MESSAGE');

-- CreateTable
CREATE TABLE "conversations"."notifications" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "conversations"."NotificationKind" NOT NULL,
    "conversation_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notifications_user_id_created_at_id_idx" ON "conversations"."notifications"("user_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "notifications_message_id_user_id_key" ON "conversations"."notifications"("message_id", "user_id");

-- AddForeignKey
ALTER TABLE "conversations"."notifications" ADD CONSTRAINT "notifications_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "conversations"."messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma cannot declare a partial index; db:migration leaves
-- it alone): unreadNotificationCount reads only the unread entries of one user.
CREATE INDEX "notifications_unread_idx" ON "conversations"."notifications"("user_id") WHERE "read_at" IS NULL;
