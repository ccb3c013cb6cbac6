-- AlterTable
ALTER TABLE "site" ADD COLUMN     "face_model" TEXT,
ADD COLUMN     "photo_evidence" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "face_crop" (
    "id" TEXT NOT NULL,
    "template_id" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "face_crop_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "face_crop_template_id_idx" ON "face_crop"("template_id");

-- AddForeignKey
ALTER TABLE "face_crop" ADD CONSTRAINT "face_crop_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "face_template"("id") ON DELETE CASCADE ON UPDATE CASCADE;
