//! The reference data pages show by name and offer in selects: districts, departments and
//! revenue heads, read once per request.

use mahasil_domain::authz::{Grant, Scope};
use mahasil_domain::head::RevenueHead;
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Level, Slug};
use maud::{Markup, html};

use super::widgets::urdu;
use crate::error::ApiResult;
use crate::state::AppState;

pub struct Catalogue {
    pub districts: Vec<Jurisdiction>,
    pub departments: Vec<Department>,
    pub heads: Vec<RevenueHead>,
}

impl Catalogue {
    pub async fn load(state: &AppState) -> ApiResult<Self> {
        let mut districts: Vec<Jurisdiction> = state.store.jurisdictions().await?.into_iter().filter(|j| j.level == Level::District).collect();
        districts.sort_by(|a, b| a.name_en.cmp(&b.name_en));
        let mut departments = state.store.departments().await?;
        departments.sort_by(|a, b| a.name_en.cmp(&b.name_en));
        let mut heads = state.store.heads().await?;
        heads.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Self { districts, departments, heads })
    }

    pub fn district(&self, slug: &Slug) -> Option<&Jurisdiction> {
        self.districts.iter().find(|d| &d.slug == slug)
    }

    pub fn department(&self, slug: &Slug) -> Option<&Department> {
        self.departments.iter().find(|d| &d.slug == slug)
    }

    pub fn head(&self, code: &str) -> Option<&RevenueHead> {
        self.heads.iter().find(|h| h.code.as_str() == code)
    }

    /// A district's English and Urdu names, or its slug when unknown.
    pub fn district_name(&self, slug: &Slug) -> Markup {
        match self.district(slug) {
            Some(d) => html! { (d.name_en) " " (urdu(&d.name_ur)) },
            None => html! { (slug) },
        }
    }

    pub fn department_name(&self, slug: &Slug) -> Markup {
        match self.department(slug) {
            Some(d) => html! { (d.name_en) " " (urdu(&d.name_ur)) },
            None => html! { (slug) },
        }
    }

    /// A head's code and English and Urdu titles.
    pub fn head_name(&self, code: &str) -> Markup {
        match self.head(code) {
            Some(h) => html! { (h.title_en) " " (urdu(&h.title_ur)) " " span.code { "(" (h.code) ")" } },
            None => html! { (code) },
        }
    }

    /// Districts inside `scope` for at least one department.
    pub fn districts_in(&self, scope: &Scope) -> Vec<&Jurisdiction> {
        self.districts.iter().filter(|d| scope_has_district(scope, &d.slug)).collect()
    }

    /// How a grant reads: `officer — Peshawar, all departments`.
    pub fn grant_text(&self, g: &Grant) -> String {
        let district =
            g.district.as_ref().map_or_else(|| "all districts".to_string(), |s| self.district(s).map_or_else(|| s.to_string(), |d| d.name_en.clone()));
        let department =
            g.department.as_ref().map_or_else(|| "all departments".to_string(), |s| self.department(s).map_or_else(|| s.to_string(), |d| d.name_en.clone()));
        format!("{} — {district}, {department}", g.role.as_str())
    }
}

pub fn scope_has_district(scope: &Scope, district: &Slug) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::Pairs(pairs) => pairs.iter().any(|(d, _)| d.as_ref().is_none_or(|d| d == district)),
    }
}

pub fn scope_has_department(scope: &Scope, department: &Slug) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::Pairs(pairs) => pairs.iter().any(|(_, p)| p.as_ref().is_none_or(|p| p == department)),
    }
}
