-- AlterTable
ALTER TABLE "site" ADD COLUMN "kiosk_settings" TEXT;
