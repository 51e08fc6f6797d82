-- What the anomaly scan reads by time (issue 7): the challans received since a moment, oldest
-- first, and the cancellation and waiver requests made since one, newest first. Both times
-- only grow as rows are written, so each index takes its inserts at its right edge (unlike
-- the offender keys moved apart in 0007, whose inserts land all over their indexes).
CREATE INDEX challans_received ON challans (received_at);
CREATE INDEX cancellation_requests_requested ON cancellation_requests (requested_at);
