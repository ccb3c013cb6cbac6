-- CreateTable
CREATE TABLE "job_lease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT,
    "expires_at" DATETIME NOT NULL,
    "period" TEXT,
    "done" BOOLEAN NOT NULL DEFAULT true,
    "started_at" DATETIME,
    "finished_at" DATETIME,
    "outcome" TEXT,
    "runs" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dedupe_key" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "unit_id" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" DATETIME NOT NULL,
    "last_error" TEXT,
    "delivered_at" DATETIME,
    "read_at" DATETIME,
    "created_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_dedupe_key_key" ON "notification"("dedupe_key");

-- CreateIndex
CREATE INDEX "notification_channel_state_next_attempt_at_idx" ON "notification"("channel", "state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notification_recipient_created_at_idx" ON "notification"("recipient", "created_at");
