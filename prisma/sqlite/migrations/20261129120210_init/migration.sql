-- CreateTable
CREATE TABLE "unit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "parent_id" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "site" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "employee" (
    "nip" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'PNS',
    "unit_id" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "employee_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "terminal" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "site_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "online" BOOLEAN NOT NULL DEFAULT false,
    "last_status" TEXT,
    "last_status_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "terminal_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "attendance_event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "terminal_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "employee_id" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "captured_at" DATETIME NOT NULL,
    "received_at" DATETIME NOT NULL,
    "score" REAL,
    "distance" REAL,
    "clock_synced" BOOLEAN NOT NULL,
    "clock_offset_ms" INTEGER,
    "skew_ms" INTEGER NOT NULL,
    "liveness" TEXT,
    "unknown_employee" BOOLEAN NOT NULL DEFAULT false,
    "clock_skew" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "rejected_message" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "client_id" TEXT,
    "terminal_id" TEXT,
    "topic" TEXT,
    "code" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "excerpt" TEXT
);

-- CreateTable
CREATE TABLE "admin_user" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "unit_id" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "admin_user_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "employee_unit_id_idx" ON "employee"("unit_id");

-- CreateIndex
CREATE INDEX "terminal_site_id_idx" ON "terminal"("site_id");

-- CreateIndex
CREATE INDEX "attendance_event_employee_id_captured_at_idx" ON "attendance_event"("employee_id", "captured_at");

-- CreateIndex
CREATE INDEX "attendance_event_terminal_id_seq_idx" ON "attendance_event"("terminal_id", "seq");

-- CreateIndex
CREATE INDEX "rejected_message_created_at_idx" ON "rejected_message"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "admin_user_username_key" ON "admin_user"("username");
