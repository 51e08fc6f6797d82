//! Where authority lies: province > division > district > tehsil, and departments.
//! All are named by slugs (`khyber-pakhtunkhwa`, `peshawar`, `price-control`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Result};

/// A lower-case identifier of letters, digits and single dashes, at most 64 long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub fn parse_field(field: &'static str, input: &str) -> Result<Self> {
        let s = input.trim();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok { Ok(Self(s.to_string())) } else { Err(DomainError::invalid(field, "must be a slug: lower-case letters, digits and single dashes")) }
    }

    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_field("slug", input)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Slug {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The level of a jurisdiction in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    Division,
    District,
    Tehsil,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Division => "division",
            Self::District => "district",
            Self::Tehsil => "tehsil",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "province" => Ok(Self::Province),
            "division" => Ok(Self::Division),
            "district" => Ok(Self::District),
            "tehsil" => Ok(Self::Tehsil),
            _ => Err(DomainError::invalid("level", "must be province, division, district or tehsil")),
        }
    }

    /// The level a jurisdiction of this level must sit under; `None` for the province.
    pub fn parent(self) -> Option<Self> {
        match self {
            Self::Province => None,
            Self::Division => Some(Self::Province),
            Self::District => Some(Self::Division),
            Self::Tehsil => Some(Self::District),
        }
    }
}

/// One node of the jurisdiction tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub slug: Slug,
    pub level: Level,
    pub parent: Option<Slug>,
    pub name_en: String,
    pub name_ur: String,
}

impl Jurisdiction {
    /// Checks that the node sits at the right level under `parent_level`.
    pub fn check_parent(&self, parent_level: Option<Level>) -> Result<()> {
        if self.level.parent() == parent_level {
            Ok(())
        } else {
            Err(DomainError::invalid(
                "parent",
                format!("a {} must sit directly under a {}", self.level.as_str(), self.level.parent().map_or("nothing", Level::as_str)),
            ))
        }
    }
}

/// A department that owns revenue heads (district administration, price control, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub slug: Slug,
    pub name_en: String,
    pub name_ur: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("dera-ismail-khan").is_ok());
        for bad in ["", "Peshawar", "a--b", "-a", "a-", "a b", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tree_levels() -> Result<()> {
        let d = Jurisdiction {
            slug: Slug::parse("peshawar")?,
            level: Level::District,
            parent: Some(Slug::parse("peshawar-division")?),
            name_en: "Peshawar".into(),
            name_ur: "پشاور".into(),
        };
        assert!(d.check_parent(Some(Level::Division)).is_ok());
        assert!(d.check_parent(Some(Level::Province)).is_err());
        Ok(())
    }
}
