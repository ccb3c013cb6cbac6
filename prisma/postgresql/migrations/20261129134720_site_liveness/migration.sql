-- AlterTable
ALTER TABLE "site" ADD COLUMN     "liveness_level" TEXT NOT NULL DEFAULT 'off';
