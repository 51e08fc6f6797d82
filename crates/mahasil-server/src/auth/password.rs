//! Argon2id password hashing. Hashing is slow on purpose; call it off the async threads.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The shortest password a user may set.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted (bounds hashing work).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A PHC string (`$argon2id$v=19$...`) of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Checks a new password's length; `Err` says why it is refused.
pub fn check_new(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
    }
    Ok(())
}

/// A hash of a password nobody has, verified when the username is unknown so that a
/// sign-in takes as long whether or not the user exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that no account has").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() -> Result<(), argon2::password_hash::Error> {
        let h = hash("correct horse battery")?;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("x", "not a hash"));
        Ok(())
    }

    #[test]
    fn new_password_bounds() {
        assert!(check_new("short").is_err());
        assert!(check_new("long enough password").is_ok());
        assert!(check_new(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }
}
