-- During a rolling deploy, messaging instances from before "sequence" still insert messages
-- without one: such a message takes its conversation's next sequence, under the same row lock the
-- current code takes, so sequence order stays commit order. Once no older instance runs, this
-- trigger is never fired (the current code always sets "sequence").
CREATE FUNCTION "message_sequence_for_older_writers"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'UPDATE %I."Conversation" SET "lastSequence" = "lastSequence" + 1 WHERE "id" = $1 RETURNING "lastSequence"',
    TG_TABLE_SCHEMA)
    INTO NEW."sequence"
    USING NEW."conversationId";
  RETURN NEW;
END
$$;

CREATE TRIGGER "Message_sequence_for_older_writers"
  BEFORE INSERT ON "Message"
  FOR EACH ROW WHEN (NEW."sequence" IS NULL)
  EXECUTE FUNCTION "message_sequence_for_older_writers"();
