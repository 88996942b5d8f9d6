-- AlterTable
ALTER TABLE "media"."media" ADD COLUMN     "thumbnail" BOOLEAN NOT NULL DEFAULT false;
