-- CNIC, mobile and vehicle numbers are spread over their whole ranges, so their indexes
-- take inserts all over: at a million challans every commit dirtied pages across three
-- large indexes and the fsync'd checkpoint of those pages became the cost of issuing.
-- They now live in a derived side database (`search`, see sqlite/offender_keys.rs),
-- rebuilt from this table whenever it lags, and written without fsync.

DROP INDEX challans_cnic;
DROP INDEX challans_mobile;
DROP INDEX challans_vehicle;
