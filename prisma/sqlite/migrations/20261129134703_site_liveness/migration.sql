-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_site" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    "liveness_level" TEXT NOT NULL DEFAULT 'off',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_site" ("created_at", "id", "name", "time_zone") SELECT "created_at", "id", "name", "time_zone" FROM "site";
DROP TABLE "site";
ALTER TABLE "new_site" RENAME TO "site";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
