//! Demo staff: who signs in to the demo, with which grants. Every demo user's password is
//! [`DEMO_PASSWORD`].

use anyhow::Context;
use jiff::Timestamp;
use mahasil_domain::authz::{Grant, Principal, Role};
use mahasil_domain::jurisdiction::Slug;
use mahasil_store::{Actor, NewUser, Store};
use rand::rngs::StdRng;

use super::catalogue::{DISTRICT_ADMINISTRATION, EXCISE_TAXATION, FOOD_AUTHORITY, LOCAL_GOVERNMENT, PRICE_CONTROL};
use super::uuid_v7;

/// The password of every demo user (DESIGN.md, "Surfaces").
pub const DEMO_PASSWORD: &str = "demo-password";

/// A grant as written in the table below: role, district (`None`: every district),
/// department (`None`: every department).
type GrantSpec = (Role, Option<&'static str>, Option<&'static str>);

#[derive(Debug, Clone, Copy)]
pub(super) struct UserSpec {
    pub username: &'static str,
    pub display_name: &'static str,
    pub grants: &'static [GrantSpec],
}

const fn user(username: &'static str, display_name: &'static str, grants: &'static [GrantSpec]) -> UserSpec {
    UserSpec { username, display_name, grants }
}

use Role::{Admin, Auditor, Officer, Supervisor, Treasury};

const PESHAWAR: Option<&str> = Some("peshawar");
const MARDAN: Option<&str> = Some("mardan");
const SWAT: Option<&str> = Some("swat");
const ABBOTTABAD: Option<&str> = Some("abbottabad");
const DA: Option<&str> = Some(DISTRICT_ADMINISTRATION);
const PC: Option<&str> = Some(PRICE_CONTROL);
const FA: Option<&str> = Some(FOOD_AUTHORITY);
const LG: Option<&str> = Some(LOCAL_GOVERNMENT);
const ET: Option<&str> = Some(EXCISE_TAXATION);

/// The demo users. The five named in DESIGN.md come first; a second and a third Peshawar
/// officer let maker-checker and taxes be shown, and three more districts have an officer
/// and a supervisor each.
pub(super) const USERS: [UserSpec; 13] = [
    user("admin", "Sadia Gul", &[(Admin, None, None)]),
    user("officer.peshawar", "Asad Ullah Khan", &[(Officer, PESHAWAR, DA), (Officer, PESHAWAR, PC)]),
    user("supervisor.peshawar", "Muhammad Imran Marwat", &[(Supervisor, PESHAWAR, None)]),
    user("treasury.peshawar", "Tariq Mehmood Khattak", &[(Treasury, PESHAWAR, None)]),
    user("auditor", "Rukhsana Bibi", &[(Auditor, None, None)]),
    user("officer2.peshawar", "Nazia Afridi", &[(Officer, PESHAWAR, DA), (Officer, PESHAWAR, FA), (Officer, PESHAWAR, LG)]),
    user("eto.peshawar", "Hamid Ali Shah", &[(Officer, PESHAWAR, ET), (Officer, PESHAWAR, LG)]),
    user("officer.mardan", "Shahid Khan Hoti", &[(Officer, MARDAN, DA), (Officer, MARDAN, PC), (Officer, MARDAN, FA)]),
    user("supervisor.mardan", "Farhat Yousafzai", &[(Supervisor, MARDAN, None)]),
    user("officer.swat", "Fazal Rabbi", &[(Officer, SWAT, DA), (Officer, SWAT, PC), (Officer, SWAT, FA)]),
    user("supervisor.swat", "Gul Rahman Akhunzada", &[(Supervisor, SWAT, None)]),
    user("officer.abbottabad", "Faisal Abbasi", &[(Officer, ABBOTTABAD, DA), (Officer, ABBOTTABAD, PC), (Officer, ABBOTTABAD, LG)]),
    user("supervisor.abbottabad", "Sajida Jadoon", &[(Supervisor, ABBOTTABAD, None)]),
];

fn slug(s: Option<&str>) -> anyhow::Result<Option<Slug>> {
    Ok(s.map(Slug::parse).transpose()?)
}

impl UserSpec {
    fn grants(&self) -> anyhow::Result<Vec<Grant>> {
        self.grants.iter().map(|&(role, district, department)| Ok(Grant { role, district: slug(district)?, department: slug(department)? })).collect()
    }
}

/// A stored demo user as the rest of the seeding acts with it.
#[derive(Debug, Clone)]
pub(super) struct Staff {
    pub principal: Principal,
    /// The district of an officer or supervisor; `None` for province-wide users.
    pub district: Option<Slug>,
}

impl Staff {
    pub(super) fn is(&self, role: Role) -> bool {
        self.principal.has_role(role)
    }
}

/// Hashes the demo password once (argon2id is slow on purpose) for all demo users.
async fn demo_password_hash() -> anyhow::Result<String> {
    let phc = tokio::task::spawn_blocking(|| mahasil_server::auth::password::hash(DEMO_PASSWORD)).await?;
    phc.map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))
}

/// Creates every demo user; returns them in [`USERS`] order.
pub(super) async fn create_users(store: &Store, rng: &mut StdRng, at: Timestamp) -> anyhow::Result<Vec<Staff>> {
    let password_hash = demo_password_hash().await?;
    let mut staff = Vec::with_capacity(USERS.len());
    for spec in &USERS {
        let grants = spec.grants()?;
        let new = NewUser {
            id: uuid_v7(rng, at)?,
            username: spec.username.into(),
            display_name: spec.display_name.into(),
            password_hash: password_hash.clone(),
            grants: grants.clone(),
        };
        store.create_user(&new, &Actor::system(), at).await.with_context(|| format!("creating demo user {}", spec.username))?;
        let district = grants.iter().find_map(|g| g.district.clone());
        staff.push(Staff { principal: Principal { user_id: new.id, username: new.username, grants }, district });
    }
    Ok(staff)
}
