-- A saved answer remembers the request it answers, a SHA-256 of its method, path and body, so
-- that a key sent again with another request is refused (422) rather than answered with the
-- wrong answer. Answers saved before this have no hash: their key is refused until it expires.
-- Answers expire (store::ANSWER_HOURS): the index finds the old ones.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
