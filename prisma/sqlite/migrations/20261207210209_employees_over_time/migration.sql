-- AlterTable
ALTER TABLE "employee" ADD COLUMN "end_date" TEXT;
ALTER TABLE "employee" ADD COLUMN "end_reason" TEXT;
ALTER TABLE "employee" ADD COLUMN "start_date" TEXT;

-- CreateTable
CREATE TABLE "employee_assignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "nip" TEXT NOT NULL,
    "effective_from" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "site_id" TEXT,
    "superior_nip" TEXT,
    "position_class" INTEGER,
    "base_amount" INTEGER,
    "created_by" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "employee_assignment_nip_fkey" FOREIGN KEY ("nip") REFERENCES "employee" ("nip") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "employee_assignment_nip_effective_from_key" ON "employee_assignment"("nip", "effective_from");
