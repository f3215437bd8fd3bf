-- CreateTable
CREATE TABLE "SquadMembershipEvent" (
    "squadId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SquadMembershipEvent_pkey" PRIMARY KEY ("squadId","userId")
);

