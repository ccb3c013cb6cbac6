-- CreateTable
CREATE TABLE "face_crop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "template_id" TEXT NOT NULL,
    "data" BLOB NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "face_crop_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "face_template" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_site" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    "liveness_level" TEXT NOT NULL DEFAULT 'off',
    "face_model" TEXT,
    "photo_evidence" BOOLEAN NOT NULL DEFAULT false,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_site" ("created_at", "id", "liveness_level", "name", "time_zone") SELECT "created_at", "id", "liveness_level", "name", "time_zone" FROM "site";
DROP TABLE "site";
ALTER TABLE "new_site" RENAME TO "site";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "face_crop_template_id_idx" ON "face_crop"("template_id");
