//! Staff sign-in: Argon2id password hashes, sessions (bearer tokens for the API, cookies
//! with a CSRF token for pages), and the extractors that turn a request into a
//! [`Principal`] or refuse it.

pub mod extract;
pub mod password;
pub mod session;

pub use extract::{ApiPrincipal, SESSION_COOKIE, WebSession};
