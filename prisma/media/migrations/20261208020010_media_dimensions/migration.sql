-- AlterTable
ALTER TABLE "media"."media" ADD COLUMN     "height" INTEGER,
ADD COLUMN     "width" INTEGER;
