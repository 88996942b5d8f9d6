-- AlterTable
ALTER TABLE "conversations"."memberships" ADD COLUMN     "muted_at" TIMESTAMPTZ(3),
ADD COLUMN     "muted_until" TIMESTAMPTZ(3);
