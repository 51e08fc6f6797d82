//! The configuration examples of README.md are read as the crate reads configuration, so
//! the documentation cannot drift from the code.

use mahasil_notify::email::{EmailSender, SmtpConfig, SmtpTls};
use mahasil_notify::sms_gateway::{SmsGateway, SmsGatewayConfig};

use crate::support::R;

const README: &str = include_str!("../../README.md");

/// The TOML code blocks of the README.
fn toml_blocks() -> Vec<&'static str> {
    README.split("```toml\n").skip(1).filter_map(|block| block.split("```").next()).collect()
}

#[test]
fn the_readme_examples_are_valid_configuration() -> R {
    let blocks = toml_blocks();
    assert_eq!(blocks.len(), 3, "the README has three TOML examples");
    let mut gateways = 0;
    for block in blocks {
        let mut table: toml::Table = toml::from_str(block)?;
        if let Some(sms) = table.remove("sms_gateway") {
            let config: SmsGatewayConfig = sms.try_into()?;
            SmsGateway::new(config)?;
            gateways += 1;
        }
        if let Some(smtp) = table.remove("smtp") {
            let config: SmtpConfig = smtp.try_into()?;
            assert_eq!(config.tls, SmtpTls::Starttls);
            EmailSender::new(config)?;
        }
        assert!(table.is_empty(), "unexpected tables: {table:?}");
    }
    assert_eq!(gateways, 2);
    Ok(())
}

#[test]
fn the_sandbox_example_is_what_the_sandbox_configuration_says() -> R {
    let block = toml_blocks().into_iter().find(|b| b.contains("127.0.0.1:8091")).ok_or("no sandbox example")?;
    let mut table: toml::Table = toml::from_str(block)?;
    let config: SmsGatewayConfig = table.remove("sms_gateway").ok_or("no [sms_gateway]")?.try_into()?;
    let expected = SmsGatewayConfig::sandbox("http://127.0.0.1:8091", Some("http://127.0.0.1:8080/notify/sms/report".into()));
    assert_eq!(config, expected);
    Ok(())
}
