-- CreateTable
CREATE TABLE "face_template" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "employee_id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "descriptor" BLOB NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "face_template_employee_id_fkey" FOREIGN KEY ("employee_id") REFERENCES "employee" ("nip") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "gallery_change" (
    "version" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "site_id" TEXT NOT NULL,
    "template_id" TEXT NOT NULL,
    "employee_id" TEXT NOT NULL,
    "op" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "face_template_employee_id_idx" ON "face_template"("employee_id");

-- CreateIndex
CREATE INDEX "gallery_change_site_id_version_idx" ON "gallery_change"("site_id", "version");
