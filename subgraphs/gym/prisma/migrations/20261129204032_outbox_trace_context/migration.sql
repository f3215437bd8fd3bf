-- AlterTable
ALTER TABLE "OutboxEvent" ADD COLUMN     "traceparent" TEXT,
ADD COLUMN     "tracestate" TEXT;

