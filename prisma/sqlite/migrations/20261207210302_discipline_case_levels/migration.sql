-- CreateTable
CREATE TABLE "discipline_case_level" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "case_id" TEXT NOT NULL,
    "threshold" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "sanction" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "tk_days" INTEGER NOT NULL,
    "longest_run" INTEGER NOT NULL,
    "reached_on" TEXT,
    "reached_at" DATETIME NOT NULL,
    "superseded_at" DATETIME,
    "notified" TEXT NOT NULL,
    CONSTRAINT "discipline_case_level_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "discipline_case" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_discipline_case" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "employee_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "basis" TEXT NOT NULL DEFAULT 'Cumulative',
    "threshold" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "sanction" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "tk_days" INTEGER NOT NULL,
    "longest_run" INTEGER NOT NULL,
    "superior_nip" TEXT,
    "notify" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'Open',
    "open_key" TEXT,
    "previous_case_id" TEXT,
    "review_needed" BOOLEAN NOT NULL DEFAULT false,
    "decision" TEXT,
    "decided_sanction" TEXT,
    "decided_by" TEXT,
    "decided_at" DATETIME,
    "opened_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);
INSERT INTO "new_discipline_case" ("decided_at", "decided_by", "decided_sanction", "decision", "employee_id", "id", "label", "level", "longest_run", "notify", "opened_at", "review_needed", "sanction", "state", "superior_nip", "threshold", "tk_days", "unit_id", "updated_at", "year") SELECT "decided_at", "decided_by", "decided_sanction", "decision", "employee_id", "id", "label", "level", "longest_run", "notify", "opened_at", "review_needed", "sanction", "state", "superior_nip", "threshold", "tk_days", "unit_id", "updated_at", "year" FROM "discipline_case";
DROP TABLE "discipline_case";
ALTER TABLE "new_discipline_case" RENAME TO "discipline_case";
CREATE UNIQUE INDEX "discipline_case_open_key_key" ON "discipline_case"("open_key");
CREATE INDEX "discipline_case_employee_id_year_idx" ON "discipline_case"("employee_id", "year");
CREATE INDEX "discipline_case_state_unit_id_idx" ON "discipline_case"("state", "unit_id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "discipline_case_level_case_id_threshold_key" ON "discipline_case_level"("case_id", "threshold");

-- Existing rows (one case per employee, year and threshold) become one case per employee, year and
-- rule, with the levels in its history. Each case gets the level row of its own threshold, decided
-- cases stay as they are (a decision stays against the level it was made for). Of the open cases of
-- one employee, year and rule, the heaviest is kept: the lighter ones' levels move into its history,
-- superseded when the next heavier one was opened, their notifications point at it, and they go.
UPDATE "discipline_case" SET "basis" = substr("threshold", 1, instr("threshold", ':') - 1);

INSERT INTO "discipline_case_level" ("id", "case_id", "threshold", "level", "sanction", "label", "tk_days", "longest_run", "reached_on", "reached_at", "superseded_at", "notified")
SELECT "id" || ':' || "threshold", "id", "threshold", "level", "sanction", "label", "tk_days", "longest_run", NULL, "opened_at",
  (SELECT MIN(h."opened_at") FROM "discipline_case" h
    WHERE c."state" = 'Open' AND h."state" = 'Open' AND h."employee_id" = c."employee_id" AND h."year" = c."year" AND h."basis" = c."basis"
      AND CAST(substr(h."threshold", instr(h."threshold", ':') + 1) AS INTEGER) > CAST(substr(c."threshold", instr(c."threshold", ':') + 1) AS INTEGER)),
  "notify"
FROM "discipline_case" c;

CREATE TEMP TABLE "discipline_case_keeper" AS
SELECT c."id" AS "old_id",
  (SELECT k."id" FROM "discipline_case" k
    WHERE k."state" = 'Open' AND k."employee_id" = c."employee_id" AND k."year" = c."year" AND k."basis" = c."basis"
    ORDER BY CAST(substr(k."threshold", instr(k."threshold", ':') + 1) AS INTEGER) DESC, k."id" LIMIT 1) AS "keeper_id"
FROM "discipline_case" c WHERE c."state" = 'Open';
DELETE FROM "discipline_case_keeper" WHERE "old_id" = "keeper_id";

UPDATE "notification" SET "payload" = replace("payload", json_extract("payload", '$.caseId'),
    (SELECT "keeper_id" FROM "discipline_case_keeper" WHERE "old_id" = json_extract("payload", '$.caseId')))
WHERE "kind" = 'DisciplineCase' AND json_extract("payload", '$.caseId') IN (SELECT "old_id" FROM "discipline_case_keeper");

UPDATE "discipline_case_level" SET "case_id" = (SELECT "keeper_id" FROM "discipline_case_keeper" WHERE "old_id" = "case_id")
WHERE "case_id" IN (SELECT "old_id" FROM "discipline_case_keeper");

DELETE FROM "discipline_case" WHERE "id" IN (SELECT "old_id" FROM "discipline_case_keeper");
DROP TABLE "discipline_case_keeper";

UPDATE "discipline_case" SET "open_key" = "employee_id" || ':' || "year" || ':' || "basis" WHERE "state" = 'Open';
