-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "lastSequence" INTEGER NOT NULL DEFAULT 0;

-- AlterTable: existing messages are numbered in the order they were listed in (sentAt, id).
ALTER TABLE "Message" ADD COLUMN     "sequence" INTEGER;

UPDATE "Message" AS message
   SET "sequence" = numbered.sequence
  FROM (SELECT "id", ROW_NUMBER() OVER (PARTITION BY "conversationId" ORDER BY "sentAt", "id") AS sequence
          FROM "Message") AS numbered
 WHERE message."id" = numbered."id";

UPDATE "Conversation" AS conversation
   SET "lastSequence" = counted.last
  FROM (SELECT "conversationId", MAX("sequence") AS last FROM "Message" GROUP BY "conversationId") AS counted
 WHERE conversation."id" = counted."conversationId";

ALTER TABLE "Message" ALTER COLUMN "sequence" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Message_conversationId_sequence_key" ON "Message"("conversationId", "sequence");
