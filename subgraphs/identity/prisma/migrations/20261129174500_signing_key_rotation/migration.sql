-- Signing keys rotate: a key signs from "activatesAt" (published earlier, from "createdAt"), and
-- its private half is stored encrypted. Written by hand rather than as the differ's drop-and-add,
-- so existing keys survive: their plaintext JWK moves to "privateKey" as JSON text, and identity
-- encrypts every such row under SIGNING_KEY_ENCRYPTION_KEY when it starts.

-- AlterTable
ALTER TABLE "SigningKey" ADD COLUMN "privateKey" TEXT;
ALTER TABLE "SigningKey" ADD COLUMN "activatesAt" TIMESTAMPTZ(3);
UPDATE "SigningKey" SET "privateKey" = "privateJwk"::text, "activatesAt" = "createdAt";
ALTER TABLE "SigningKey" ALTER COLUMN "privateKey" SET NOT NULL;
ALTER TABLE "SigningKey" ALTER COLUMN "activatesAt" SET NOT NULL;
ALTER TABLE "SigningKey" DROP COLUMN "privateJwk";
