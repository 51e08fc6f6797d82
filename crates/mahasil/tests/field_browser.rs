//! The field app end to end in headless Chromium against this binary's real server
//! (`assets/field/real-server.e2e.mjs`, driven by Node through the DevTools protocol):
//! enrol, go offline, issue 20 challans, reload offline, issue 5 more, come back online,
//! sync — the server holds exactly 25, each verifiable, and the app shows none pending.
//!
//! Needs Node.js 20 and Debian's `chromium` (or `MAHASIL_CHROMIUM`). Without Chromium the
//! script reports a skip, which `MAHASIL_REQUIRE_BROWSER=1` (as in CI) turns into a failure.

use std::path::Path;
use std::process::Command;

#[test]
fn twenty_five_challans_issued_offline_in_the_browser_reach_the_server_exactly_once() -> Result<(), Box<dyn std::error::Error>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mahasil-server/assets/field/real-server.e2e.mjs");
    let output = Command::new("node")
        .arg("--test")
        .arg(&script)
        .env("MAHASIL_BIN", env!("CARGO_BIN_EXE_mahasil"))
        .output()
        .map_err(|e| format!("cannot run node (Node.js 20 or later is needed for the field app's browser test): {e}"))?;
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "node --test {} failed:\n{report}", script.display());
    assert!(report.contains("# fail 0"), "unexpected report:\n{report}");
    if std::env::var("MAHASIL_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        assert!(report.contains("# pass 1") && report.contains("# skipped 0"), "the browser test did not run:\n{report}");
    } else if report.contains("# skipped 1") {
        eprintln!("skipped: {report}");
    }
    Ok(())
}
