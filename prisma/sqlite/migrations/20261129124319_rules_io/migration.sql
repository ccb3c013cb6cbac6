-- AlterTable
ALTER TABLE "employee" ADD COLUMN "base_amount" INTEGER;
ALTER TABLE "employee" ADD COLUMN "position_class" INTEGER;
ALTER TABLE "employee" ADD COLUMN "site_id" TEXT;
ALTER TABLE "employee" ADD COLUMN "superior_nip" TEXT;

-- CreateTable
CREATE TABLE "work_schedule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "schedule_assignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "schedule_id" TEXT NOT NULL,
    "unit_id" TEXT,
    "employee_id" TEXT,
    "effective_from" TEXT NOT NULL,
    "effective_to" TEXT,
    "created_by" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "holiday" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "date" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "special_period" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "date_from" TEXT NOT NULL,
    "date_to" TEXT NOT NULL,
    "hours" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "leave_request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "employee_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "date_from" TEXT NOT NULL,
    "date_to" TEXT NOT NULL,
    "part" TEXT NOT NULL DEFAULT 'FullDay',
    "approval" TEXT NOT NULL DEFAULT 'Pending',
    "documented" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "created_by" TEXT,
    "decided_by" TEXT,
    "decided_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "policy_profile" (
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "effective_from" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("id", "version")
);

-- CreateTable
CREATE TABLE "position_class_amount" (
    "position_class" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "amount" INTEGER NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "punch_correction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "employee_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "punch_at" DATETIME NOT NULL,
    "event_id" TEXT,
    "reason" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "daily_record" (
    "employee_id" TEXT NOT NULL,
    "work_date" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "codes" TEXT NOT NULL,
    "late_minutes" INTEGER,
    "early_minutes" INTEGER,
    "deduction_bp" INTEGER NOT NULL,
    "arrival" DATETIME,
    "departure" DATETIME,
    "provisional" BOOLEAN NOT NULL,
    "detail" TEXT NOT NULL,
    "profile_id" TEXT NOT NULL,
    "profile_version" INTEGER NOT NULL,
    "computed_at" DATETIME NOT NULL,

    PRIMARY KEY ("employee_id", "work_date")
);

-- CreateTable
CREATE TABLE "month_lock" (
    "month" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "employees" INTEGER NOT NULL,
    "locked_by" TEXT NOT NULL,
    "locked_at" DATETIME NOT NULL,

    PRIMARY KEY ("month", "scope")
);

-- CreateTable
CREATE TABLE "monthly_allowance" (
    "employee_id" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "base_amount" INTEGER NOT NULL,
    "total_bp" INTEGER NOT NULL,
    "deduction_amount" INTEGER NOT NULL,
    "payable_amount" INTEGER NOT NULL,
    "detail" TEXT NOT NULL,
    "computed_at" DATETIME NOT NULL,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "lock_scope" TEXT,
    "locked_at" DATETIME,

    PRIMARY KEY ("employee_id", "month")
);

-- CreateTable
CREATE TABLE "allowance_adjustment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "employee_id" TEXT NOT NULL,
    "source_month" TEXT NOT NULL,
    "target_month" TEXT NOT NULL,
    "paid_amount" INTEGER NOT NULL,
    "recomputed_amount" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,
    "bp_delta" INTEGER NOT NULL,
    "detail" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "discipline_case" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "employee_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "threshold" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "sanction" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "tk_days" INTEGER NOT NULL,
    "longest_run" INTEGER NOT NULL,
    "superior_nip" TEXT,
    "notify" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'Open',
    "review_needed" BOOLEAN NOT NULL DEFAULT false,
    "decision" TEXT,
    "decided_sanction" TEXT,
    "decided_by" TEXT,
    "decided_at" DATETIME,
    "opened_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "schedule_assignment_schedule_id_idx" ON "schedule_assignment"("schedule_id");

-- CreateIndex
CREATE UNIQUE INDEX "holiday_date_name_key" ON "holiday"("date", "name");

-- CreateIndex
CREATE INDEX "leave_request_employee_id_date_from_idx" ON "leave_request"("employee_id", "date_from");

-- CreateIndex
CREATE INDEX "punch_correction_employee_id_punch_at_idx" ON "punch_correction"("employee_id", "punch_at");

-- CreateIndex
CREATE INDEX "daily_record_work_date_unit_id_idx" ON "daily_record"("work_date", "unit_id");

-- CreateIndex
CREATE INDEX "monthly_allowance_month_unit_id_idx" ON "monthly_allowance"("month", "unit_id");

-- CreateIndex
CREATE INDEX "allowance_adjustment_employee_id_source_month_idx" ON "allowance_adjustment"("employee_id", "source_month");

-- CreateIndex
CREATE INDEX "allowance_adjustment_target_month_idx" ON "allowance_adjustment"("target_month");

-- CreateIndex
CREATE INDEX "discipline_case_state_unit_id_idx" ON "discipline_case"("state", "unit_id");

-- CreateIndex
CREATE UNIQUE INDEX "discipline_case_employee_id_year_threshold_key" ON "discipline_case"("employee_id", "year", "threshold");
