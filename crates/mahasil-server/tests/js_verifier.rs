//! The browser verifier (`assets/verify/`), the field app (`assets/field/`) and the
//! dashboard's charts (`assets/dashboard/`) have their own tests, run by Node's test
//! runner. The first two read the shared vectors of `testdata/seal-vectors/` and
//! `testdata/sync-vectors/`, so these tests fail when the JavaScript and Rust sides of the
//! seal format or the device protocol drift apart.

use std::path::Path;
use std::process::Command;

#[test]
fn javascript_verifier_passes_its_tests_on_the_shared_vectors() -> Result<(), Box<dyn std::error::Error>> {
    node_tests("assets/verify")
}

/// The field app's tests: numbering, amounts, identities, seals and ops against the shared
/// seal and sync vectors, the sync engine against a loopback stand-in, and the app in
/// headless Chromium.
#[test]
fn field_app_passes_its_tests_on_the_shared_vectors() -> Result<(), Box<dyn std::error::Error>> {
    node_tests("assets/field")
}

/// The dashboard's charts: the JSON spec, numbers and dates, the vendored library's hashes,
/// and the charts in headless Chromium at phone width, in English and Urdu.
#[test]
fn dashboard_charts_pass_their_tests() -> Result<(), Box<dyn std::error::Error>> {
    node_tests("assets/dashboard")
}

fn node_tests(folder: &str) -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let output = Command::new("node")
        .arg("--test")
        .arg(&dir)
        .output()
        .map_err(|e| format!("cannot run node (Node.js 20 or later is needed for the verifier's tests): {e}"))?;
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "node --test {} failed:\n{report}", dir.display());
    assert!(report.contains("# fail 0"), "unexpected report:\n{report}");
    assert!(!report.contains("# pass 0\n"), "no test ran:\n{report}");
    // CI installs Chromium and sets this: the in-browser test must run there, not skip.
    if std::env::var("MAHASIL_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        assert!(report.contains("# skipped 0"), "a browser test was skipped:\n{report}");
    }
    Ok(())
}
