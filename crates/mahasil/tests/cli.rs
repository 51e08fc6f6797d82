//! The binary's commands as an operator runs them.

use std::process::Command;

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const BIN: &str = env!("CARGO_BIN_EXE_mahasil");

fn mahasil(args: &[&str]) -> R<std::process::Output> {
    Ok(Command::new(BIN).args(args).env_remove("MAHASIL_DATABASE_URL").output()?)
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn help_lists_the_commands() -> R {
    let out = mahasil(&["--help"])?;
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["serve", "migrate", "default-config", "audit"] {
        assert!(help.contains(cmd), "{cmd} missing from --help:\n{help}");
    }
    Ok(())
}

#[test]
fn default_config_round_trips() -> R {
    let dir = tempfile::tempdir()?;
    let out = mahasil(&["default-config"])?;
    assert!(out.status.success());
    let file = dir.path().join("mahasil.toml");
    std::fs::write(&file, &out.stdout)?;
    let data = dir.path().join("data");
    let out = Command::new(BIN).arg("--config").arg(&file).args(["migrate", "--data"]).arg(&data).output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("sqlite database"), "{}", text(&out.stdout));
    Ok(())
}

#[test]
fn bad_configuration_is_named() -> R {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "bnid = \"0.0.0.0:1\"\n")?;
    let out = Command::new(BIN).arg("--config").arg(&file).args(["migrate"]).output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bnid"), "{}", text(&out.stderr));
    let out = Command::new(BIN).args(["--config", "/nonexistent/mahasil.toml", "migrate"]).output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does not exist"));
    let out = Command::new(BIN).args(["migrate", "--database-url", "mysql://u:hunter2@h/db"]).output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).contains("hunter2"), "a password was printed: {}", text(&out.stderr));
    Ok(())
}

#[test]
fn audit_verify_names_the_first_tampered_entry() -> R {
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_str().ok_or("path")?;
    let out = mahasil(&["migrate", "--data", data])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Some history: creating departments appends audit entries.
    let db = dir.path().join("mahasil.db");
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let store = mahasil_store::open(&format!("sqlite://{}", db.display())).await?;
        for i in 0..5 {
            let slug = mahasil_domain::jurisdiction::Slug::parse(&format!("dept-{i}"))?;
            let d = mahasil_domain::jurisdiction::Department { slug, name_en: format!("Dept {i}"), name_ur: "محکمہ".into() };
            store.put_department(&d, &mahasil_store::Actor::system(), jiff::Timestamp::now()).await?;
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    })?;
    let out = mahasil(&["audit", "verify", "--data", data])?;
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("intact"));

    // An attacker with the database file drops the guard and edits the third entry.
    let conn = rusqlite::Connection::open(&db)?;
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\""))?;
    }
    conn.execute("UPDATE audit_log SET after = replace(after, 'Dept 2', 'Dept X') WHERE after LIKE '%Dept 2%'", [])?;
    let seq: i64 = conn.query_row("SELECT seq FROM audit_log WHERE after LIKE '%Dept X%'", [], |r| r.get(0))?;
    drop(conn);
    let out = mahasil(&["audit", "verify", "--data", data])?;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains(&format!("seq {seq}")), "{}", text(&out.stdout));
    Ok(())
}
