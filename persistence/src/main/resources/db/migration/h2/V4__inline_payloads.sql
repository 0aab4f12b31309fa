-- Event and snapshot payloads as VARBINARY, stored in the row: H2 keeps BLOBs in a separate LOB
-- store, which cost more CPU per journal write than the rest of the insert.
ALTER TABLE PUBLIC."event_journal" ALTER COLUMN "event_payload" SET DATA TYPE VARBINARY;
ALTER TABLE PUBLIC."event_journal" ALTER COLUMN "meta_payload" SET DATA TYPE VARBINARY;
ALTER TABLE PUBLIC."snapshot" ALTER COLUMN "snapshot_payload" SET DATA TYPE VARBINARY;
ALTER TABLE PUBLIC."snapshot" ALTER COLUMN "meta_payload" SET DATA TYPE VARBINARY;
ALTER TABLE PUBLIC."durable_state" ALTER COLUMN "state_payload" SET DATA TYPE VARBINARY;
