-- CreateTable
CREATE TABLE "job_lease" (
    "name" TEXT NOT NULL,
    "holder" TEXT,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "period" TEXT,
    "done" BOOLEAN NOT NULL DEFAULT true,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "outcome" TEXT,
    "runs" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "job_lease_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "unit_id" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL,
    "last_error" TEXT,
    "delivered_at" TIMESTAMP(3),
    "read_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_dedupe_key_key" ON "notification"("dedupe_key");

-- CreateIndex
CREATE INDEX "notification_channel_state_next_attempt_at_idx" ON "notification"("channel", "state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notification_recipient_created_at_idx" ON "notification"("recipient", "created_at");
