-- CreateTable
CREATE TABLE "login_throttle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "locked_until" DATETIME,
    "last_failure_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "health_heartbeat" (
    "instance_id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL
);
