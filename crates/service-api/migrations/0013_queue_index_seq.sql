-- The queue's index ends with seq, the last key of the call order (queue::CALL_ORDER), so that
-- counting the people ahead of a ticket (queue::people_ahead) reads the index alone instead of
-- every waiting ticket's row.
DROP INDEX tickets_queue;
CREATE INDEX tickets_queue ON tickets (service_code, status, priority_rank, issued_at, seq);
