-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_admin_user" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "unit_id" TEXT,
    "display_name" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "token_version" INTEGER NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "admin_user_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_admin_user" ("created_at", "id", "password_hash", "role", "unit_id", "username") SELECT "created_at", "id", "password_hash", "role", "unit_id", "username" FROM "admin_user";
DROP TABLE "admin_user";
ALTER TABLE "new_admin_user" RENAME TO "admin_user";
CREATE UNIQUE INDEX "admin_user_username_key" ON "admin_user"("username");
CREATE TABLE "new_site" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    "liveness_level" TEXT NOT NULL DEFAULT 'off',
    "face_model" TEXT,
    "photo_evidence" BOOLEAN NOT NULL DEFAULT false,
    "kiosk_settings" TEXT,
    "address" TEXT,
    "latitude" REAL,
    "longitude" REAL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_site" ("created_at", "face_model", "id", "kiosk_settings", "liveness_level", "name", "photo_evidence", "time_zone") SELECT "created_at", "face_model", "id", "kiosk_settings", "liveness_level", "name", "photo_evidence", "time_zone" FROM "site";
DROP TABLE "site";
ALTER TABLE "new_site" RENAME TO "site";
CREATE TABLE "new_unit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "parent_id" TEXT,
    "code" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_unit" ("created_at", "id", "name", "parent_id") SELECT "created_at", "id", "name", "parent_id" FROM "unit";
DROP TABLE "unit";
ALTER TABLE "new_unit" RENAME TO "unit";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
