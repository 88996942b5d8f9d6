-- Same index, made partial (the predicate is always true: handle is NOT NULL)
-- so the schema engine stops proposing to drop and recreate it (it cannot read
-- back raw ops on a btree index; it leaves partial indexes alone).
DROP INDEX "users"."users_handle_prefix_idx";
CREATE INDEX "users_handle_prefix_idx" ON "users"."users"("handle" varchar_pattern_ops) WHERE "handle" IS NOT NULL;
