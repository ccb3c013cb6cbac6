-- DropIndex
DROP INDEX "discipline_case_employee_id_year_threshold_key";

-- AlterTable
ALTER TABLE "discipline_case" ADD COLUMN     "basis" TEXT NOT NULL DEFAULT 'Cumulative',
ADD COLUMN     "open_key" TEXT,
ADD COLUMN     "previous_case_id" TEXT;

-- CreateTable
CREATE TABLE "discipline_case_level" (
    "id" TEXT NOT NULL,
    "case_id" TEXT NOT NULL,
    "threshold" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "sanction" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "tk_days" INTEGER NOT NULL,
    "longest_run" INTEGER NOT NULL,
    "reached_on" TEXT,
    "reached_at" TIMESTAMP(3) NOT NULL,
    "superseded_at" TIMESTAMP(3),
    "notified" TEXT NOT NULL,

    CONSTRAINT "discipline_case_level_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "discipline_case_level_case_id_threshold_key" ON "discipline_case_level"("case_id", "threshold");

-- CreateIndex
CREATE UNIQUE INDEX "discipline_case_open_key_key" ON "discipline_case"("open_key");

-- CreateIndex
CREATE INDEX "discipline_case_employee_id_year_idx" ON "discipline_case"("employee_id", "year");

-- AddForeignKey
ALTER TABLE "discipline_case_level" ADD CONSTRAINT "discipline_case_level_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "discipline_case"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Existing rows (one case per employee, year and threshold) become one case per employee, year and
-- rule, with the levels in its history. Each case gets the level row of its own threshold, decided
-- cases stay as they are (a decision stays against the level it was made for). Of the open cases of
-- one employee, year and rule, the heaviest is kept: the lighter ones' levels move into its history,
-- superseded when the next heavier one was opened, their notifications point at it, and they go.
UPDATE "discipline_case" SET "basis" = split_part("threshold", ':', 1);

INSERT INTO "discipline_case_level" ("id", "case_id", "threshold", "level", "sanction", "label", "tk_days", "longest_run", "reached_on", "reached_at", "superseded_at", "notified")
SELECT c."id" || ':' || c."threshold", c."id", c."threshold", c."level", c."sanction", c."label", c."tk_days", c."longest_run", NULL, c."opened_at",
  (SELECT MIN(h."opened_at") FROM "discipline_case" h
    WHERE c."state" = 'Open' AND h."state" = 'Open' AND h."employee_id" = c."employee_id" AND h."year" = c."year" AND h."basis" = c."basis"
      AND CAST(split_part(h."threshold", ':', 2) AS INTEGER) > CAST(split_part(c."threshold", ':', 2) AS INTEGER)),
  c."notify"
FROM "discipline_case" c;

CREATE TEMP TABLE "discipline_case_keeper" AS
SELECT c."id" AS "old_id",
  (SELECT k."id" FROM "discipline_case" k
    WHERE k."state" = 'Open' AND k."employee_id" = c."employee_id" AND k."year" = c."year" AND k."basis" = c."basis"
    ORDER BY CAST(split_part(k."threshold", ':', 2) AS INTEGER) DESC, k."id" LIMIT 1) AS "keeper_id"
FROM "discipline_case" c WHERE c."state" = 'Open';
DELETE FROM "discipline_case_keeper" WHERE "old_id" = "keeper_id";

UPDATE "notification" n SET "payload" = replace(n."payload", k."old_id", k."keeper_id")
FROM "discipline_case_keeper" k
WHERE n."kind" = 'DisciplineCase' AND (n."payload"::json ->> 'caseId') = k."old_id";

UPDATE "discipline_case_level" l SET "case_id" = k."keeper_id"
FROM "discipline_case_keeper" k WHERE l."case_id" = k."old_id";

DELETE FROM "discipline_case" WHERE "id" IN (SELECT "old_id" FROM "discipline_case_keeper");
DROP TABLE "discipline_case_keeper";

UPDATE "discipline_case" SET "open_key" = "employee_id" || ':' || "year" || ':' || "basis" WHERE "state" = 'Open';
