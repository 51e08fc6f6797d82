//! The sandbox gateway end to end, over real HTTP on loopback: the merchant API with the
//! signed client, the hosted page as a payer's browser uses it, and the callbacks a
//! merchant's receiver gets and verifies.

mod callbacks;
mod hosted_page;
mod merchant_api;
mod support;
