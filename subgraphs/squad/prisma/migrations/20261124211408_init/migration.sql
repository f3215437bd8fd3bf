-- CreateEnum
CREATE TYPE "SquadVisibility" AS ENUM ('PUBLIC', 'PRIVATE');

-- CreateEnum
CREATE TYPE "SquadRole" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');

-- CreateEnum
CREATE TYPE "ChallengeMetric" AS ENUM ('TOTAL_VOLUME_KG', 'SESSIONS', 'CHECK_INS');

-- CreateEnum
CREATE TYPE "ActivityKind" AS ENUM ('SQUAD_CREATED', 'SQUAD_UPDATED', 'MEMBER_JOINED', 'MEMBER_LEFT', 'MEMBER_REMOVED', 'MEMBER_ROLE_CHANGED', 'OWNERSHIP_TRANSFERRED', 'CHALLENGE_CREATED', 'CHALLENGE_PROGRESS', 'CHALLENGE_COMPLETED');

-- CreateTable
CREATE TABLE "Squad" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "description" TEXT,
    "visibility" "SquadVisibility" NOT NULL,
    "homeGymId" UUID,
    "ownerId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Squad_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SquadMember" (
    "squadId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "role" "SquadRole" NOT NULL,
    "joinedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SquadMember_pkey" PRIMARY KEY ("squadId","userId")
);

-- CreateTable
CREATE TABLE "JoinRequest" (
    "id" UUID NOT NULL,
    "squadId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JoinRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SquadInvitation" (
    "id" UUID NOT NULL,
    "squadId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "invitedById" UUID NOT NULL,
    "invitedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SquadInvitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Challenge" (
    "id" UUID NOT NULL,
    "squadId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "metric" "ChallengeMetric" NOT NULL,
    "goal" DOUBLE PRECISION NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Challenge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChallengeProgress" (
    "challengeId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "amount" DOUBLE PRECISION NOT NULL,
    "reachedAt" TIMESTAMPTZ(3) NOT NULL,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ChallengeProgress_pkey" PRIMARY KEY ("challengeId","userId")
);

-- CreateTable
CREATE TABLE "SquadActivity" (
    "id" UUID NOT NULL,
    "squadId" UUID NOT NULL,
    "kind" "ActivityKind" NOT NULL,
    "actorId" UUID NOT NULL,
    "subjectId" UUID,
    "challengeId" UUID,
    "amount" DOUBLE PRECISION,
    "role" "SquadRole",
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SquadActivity_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Squad_visibility_nameKey_id_idx" ON "Squad"("visibility", "nameKey", "id");

-- CreateIndex
CREATE INDEX "SquadMember_squadId_joinedAt_userId_idx" ON "SquadMember"("squadId", "joinedAt", "userId");

-- CreateIndex
CREATE INDEX "SquadMember_userId_idx" ON "SquadMember"("userId");

-- CreateIndex
CREATE INDEX "JoinRequest_squadId_requestedAt_id_idx" ON "JoinRequest"("squadId", "requestedAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "JoinRequest_squadId_userId_key" ON "JoinRequest"("squadId", "userId");

-- CreateIndex
CREATE INDEX "SquadInvitation_userId_invitedAt_idx" ON "SquadInvitation"("userId", "invitedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SquadInvitation_squadId_userId_key" ON "SquadInvitation"("squadId", "userId");

-- CreateIndex
CREATE INDEX "Challenge_squadId_createdAt_id_idx" ON "Challenge"("squadId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Challenge_squadId_metric_endsAt_idx" ON "Challenge"("squadId", "metric", "endsAt");

-- CreateIndex
CREATE INDEX "SquadActivity_squadId_createdAt_id_idx" ON "SquadActivity"("squadId", "createdAt", "id");

-- AddForeignKey
ALTER TABLE "SquadMember" ADD CONSTRAINT "SquadMember_squadId_fkey" FOREIGN KEY ("squadId") REFERENCES "Squad"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JoinRequest" ADD CONSTRAINT "JoinRequest_squadId_fkey" FOREIGN KEY ("squadId") REFERENCES "Squad"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SquadInvitation" ADD CONSTRAINT "SquadInvitation_squadId_fkey" FOREIGN KEY ("squadId") REFERENCES "Squad"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Challenge" ADD CONSTRAINT "Challenge_squadId_fkey" FOREIGN KEY ("squadId") REFERENCES "Squad"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChallengeProgress" ADD CONSTRAINT "ChallengeProgress_challengeId_fkey" FOREIGN KEY ("challengeId") REFERENCES "Challenge"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SquadActivity" ADD CONSTRAINT "SquadActivity_squadId_fkey" FOREIGN KEY ("squadId") REFERENCES "Squad"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SquadActivity" ADD CONSTRAINT "SquadActivity_challengeId_fkey" FOREIGN KEY ("challengeId") REFERENCES "Challenge"("id") ON DELETE CASCADE ON UPDATE CASCADE;

