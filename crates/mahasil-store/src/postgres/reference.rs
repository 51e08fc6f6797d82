//! Jurisdictions and departments: the places and offices challans belong to.

use jiff::Timestamp;
use mahasil_domain::jurisdiction::{Department, Jurisdiction, Level, Slug};
use sqlx::PgPool;

use super::audit_log::json;
use super::rows;
use super::writer::Tx;
use crate::records::Actor;
use crate::{Result, StoreError};

pub(super) async fn put_jurisdiction(tx: &mut Tx, j: &Jurisdiction, actor: &Actor, at: Timestamp) -> Result<()> {
    let parent_level = match &j.parent {
        None => None,
        Some(parent) => {
            let level: Option<String> =
                sqlx::query_scalar("SELECT level FROM jurisdictions WHERE slug = $1").bind(parent.as_str()).fetch_optional(&mut tx.conn).await?;
            let level = level.ok_or_else(|| StoreError::NotFound(format!("parent jurisdiction {parent}")))?;
            Some(Level::parse(&level).map_err(|e| StoreError::Corrupt(format!("jurisdictions.level: {e}")))?)
        }
    };
    j.check_parent(parent_level)?;
    let before = sqlx::query("SELECT slug, level, parent_slug, name_en, name_ur FROM jurisdictions WHERE slug = $1 FOR UPDATE")
        .bind(j.slug.as_str())
        .fetch_optional(&mut tx.conn)
        .await?
        .map(|r| rows::jurisdiction(&r))
        .transpose()?;
    sqlx::query(
        "INSERT INTO jurisdictions (slug, level, parent_slug, name_en, name_ur) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (slug) DO UPDATE SET level = EXCLUDED.level, parent_slug = EXCLUDED.parent_slug, name_en = EXCLUDED.name_en, name_ur = EXCLUDED.name_ur",
    )
    .bind(j.slug.as_str())
    .bind(j.level.as_str())
    .bind(j.parent.as_ref().map(Slug::as_str))
    .bind(&j.name_en)
    .bind(&j.name_ur)
    .execute(&mut tx.conn)
    .await?;
    tx.audit(at, actor, "jurisdiction.put", format!("jurisdiction:{}", j.slug), json(&before)?, json(j)?);
    Ok(())
}

pub(super) async fn jurisdictions(pool: &PgPool) -> Result<Vec<Jurisdiction>> {
    let all = sqlx::query("SELECT slug, level, parent_slug, name_en, name_ur FROM jurisdictions ORDER BY slug").fetch_all(pool).await?;
    all.iter().map(rows::jurisdiction).collect()
}

pub(super) async fn jurisdiction(pool: &PgPool, slug: &Slug) -> Result<Option<Jurisdiction>> {
    let row =
        sqlx::query("SELECT slug, level, parent_slug, name_en, name_ur FROM jurisdictions WHERE slug = $1").bind(slug.as_str()).fetch_optional(pool).await?;
    row.as_ref().map(rows::jurisdiction).transpose()
}

pub(super) async fn put_department(tx: &mut Tx, d: &Department, actor: &Actor, at: Timestamp) -> Result<()> {
    let before = sqlx::query("SELECT slug, name_en, name_ur FROM departments WHERE slug = $1 FOR UPDATE")
        .bind(d.slug.as_str())
        .fetch_optional(&mut tx.conn)
        .await?
        .map(|r| rows::department(&r))
        .transpose()?;
    sqlx::query(
        "INSERT INTO departments (slug, name_en, name_ur) VALUES ($1, $2, $3)
         ON CONFLICT (slug) DO UPDATE SET name_en = EXCLUDED.name_en, name_ur = EXCLUDED.name_ur",
    )
    .bind(d.slug.as_str())
    .bind(&d.name_en)
    .bind(&d.name_ur)
    .execute(&mut tx.conn)
    .await?;
    tx.audit(at, actor, "department.put", format!("department:{}", d.slug), json(&before)?, json(d)?);
    Ok(())
}

pub(super) async fn departments(pool: &PgPool) -> Result<Vec<Department>> {
    let all = sqlx::query("SELECT slug, name_en, name_ur FROM departments ORDER BY slug").fetch_all(pool).await?;
    all.iter().map(rows::department).collect()
}
