-- AlterTable
ALTER TABLE "media"."media" ADD COLUMN     "filename" VARCHAR(255);
