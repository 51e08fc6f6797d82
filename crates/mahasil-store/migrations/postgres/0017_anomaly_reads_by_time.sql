-- What the anomaly scan reads by time (issue 7): the challans received since a moment, oldest
-- first, and the cancellation and waiver requests made since one, newest first. Both times
-- only grow as rows are written, so each index takes its inserts at its right edge.
CREATE INDEX challans_received ON challans (received_at, seq);
CREATE INDEX cancellation_requests_requested ON cancellation_requests (requested_at, seq);
