//! The districts of Khyber Pakhtunkhwa as SVG for the dashboard's map. The boundaries of
//! `data/kp-districts.geojson` (ODbL 1.0; data/kp-districts.SOURCE.md says where they come
//! from) are projected once into path strings; each request only shades them.
//!
//! - `geometry`: the projection, rings rounded to a tenth of a viewBox unit, label anchors.
//! - `svg`: the `<svg>` element, its CSS, the legend and the attribution.

mod geometry;
mod svg;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;

pub use geometry::Point;
pub use svg::{LEVELS, MAP_CSS, NO_DATA_PATTERN_ID, Shade, attribution, attribution_full, legend};

/// The boundary file, embedded so the map needs no file at run time.
const KP_GEOJSON: &str = include_str!("../../../data/kp-districts.geojson");

/// Width of the viewBox in user units; the height follows from the projection.
pub const VIEW_WIDTH: u32 = 600;
/// Empty space around the districts, so their outer strokes are not clipped.
const VIEW_PADDING: f64 = 4.0;
/// Room below the districts for the attribution line.
const ATTRIBUTION_BAND: f64 = 22.0;

/// A boundary file larger than this is refused before parsing (the KP file is 55 KB).
pub const MAX_GEOJSON_BYTES: usize = 1024 * 1024;
/// At most this many districts in one map.
pub const MAX_DISTRICTS: usize = 256;
/// At most this many positions in one map, over all rings.
pub const MAX_POSITIONS: usize = 100_000;

/// Why a boundary file could not become a map.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("the boundary file is {len} bytes, more than the {MAX_GEOJSON_BYTES} allowed")]
    TooLarge { len: usize },
    #[error("the boundary file is not a GeoJSON FeatureCollection of Polygons and MultiPolygons: {0}")]
    Json(String),
    #[error("the boundary file has no districts")]
    NoDistricts,
    #[error("the boundary file has {count} districts, more than the {MAX_DISTRICTS} allowed")]
    TooManyDistricts { count: usize },
    #[error("the boundary file has more than {MAX_POSITIONS} positions")]
    TooManyPositions,
    #[error("the district {slug:?} appears more than once")]
    DuplicateSlug { slug: String },
    #[error("the district {slug:?}: {problem}")]
    Geometry { slug: String, problem: &'static str },
}

/// One district, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    name: String,
    slug: String,
    source_id: String,
    path: String,
    label: Point,
}

impl District {
    /// The census spelling, e.g. "Dera Ismail Khan".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key the dashboard joins its figures on, e.g. "dera-ismail-khan".
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The source's district id, e.g. "kp_dera_ismail_khan".
    pub fn source_id(&self) -> &str {
        &self.source_id
    }

    /// The SVG path data: every ring of every polygon, each `M … L … Z`.
    pub fn path_d(&self) -> &str {
        &self.path
    }

    /// Where a label goes: the area-weighted centroid of the district's largest ring.
    pub fn label_anchor(&self) -> Point {
        self.label
    }
}

/// All districts of a boundary file, projected into one viewBox.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictMap {
    width: u32,
    height: u32,
    /// The y of the attribution line's baseline, inside the band below the districts.
    attribution_y: f64,
    districts: Vec<District>,
}

impl DistrictMap {
    /// The 35 districts of KP, parsed from the embedded file on first use.
    pub fn kp() -> Result<&'static DistrictMap, MapError> {
        static KP: OnceLock<Result<DistrictMap, MapError>> = OnceLock::new();
        KP.get_or_init(|| DistrictMap::parse(KP_GEOJSON)).as_ref().map_err(Clone::clone)
    }

    /// A map from a GeoJSON FeatureCollection whose features carry `name`, `slug` and
    /// `source_id` and a Polygon or MultiPolygon in longitude/latitude, in file order.
    pub fn parse(geojson: &str) -> Result<DistrictMap, MapError> {
        if geojson.len() > MAX_GEOJSON_BYTES {
            return Err(MapError::TooLarge { len: geojson.len() });
        }
        let collection: FeatureCollection = serde_json::from_str(geojson).map_err(|e| MapError::Json(e.to_string()))?;
        let features = collection.features;
        if features.is_empty() {
            return Err(MapError::NoDistricts);
        }
        if features.len() > MAX_DISTRICTS {
            return Err(MapError::TooManyDistricts { count: features.len() });
        }
        let positions: usize = features.iter().map(|f| f.geometry.polygons().flatten().map(Vec::len).sum::<usize>()).sum();
        if positions > MAX_POSITIONS {
            return Err(MapError::TooManyPositions);
        }
        let mut seen = HashSet::new();
        for feature in &features {
            if !seen.insert(feature.properties.slug.as_str()) {
                return Err(MapError::DuplicateSlug { slug: feature.properties.slug.clone() });
            }
            geometry::check_lon_lat(&feature.properties.slug, feature.geometry.polygons())?;
        }

        let bounds = geometry::Bounds::of(features.iter().flat_map(|f| f.geometry.polygons()));
        let projection = geometry::Projection::fit(&bounds, f64::from(VIEW_WIDTH), VIEW_PADDING);
        let districts_bottom = projection.height();
        let mut districts = Vec::with_capacity(features.len());
        for feature in features {
            let Properties { name, slug, source_id } = feature.properties;
            let drawn = geometry::draw(&projection, feature.geometry.polygons());
            let Some(drawn) = drawn else {
                return Err(MapError::Geometry { slug, problem: "no ring keeps three distinct points at this scale" });
            };
            districts.push(District { name, slug, source_id, path: drawn.path, label: drawn.label });
        }
        // A height of a few hundred units, or a few thousand for a very tall region: far
        // inside u32 (an `as` cast saturates anyway).
        let height = (districts_bottom + ATTRIBUTION_BAND).ceil() as u32;
        Ok(DistrictMap { width: VIEW_WIDTH, height, attribution_y: districts_bottom + ATTRIBUTION_BAND - 6.0, districts })
    }

    /// The viewBox width in user units.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The viewBox height in user units, the attribution band included.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The districts in file order (the KP file is sorted by name).
    pub fn districts(&self) -> &[District] {
        &self.districts
    }

    /// The district with this slug, if the map has it.
    pub fn district(&self, slug: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.slug == slug)
    }

    /// The slugs of all districts, in file order.
    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.districts.iter().map(|d| d.slug.as_str())
    }
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    name: String,
    slug: String,
    source_id: String,
}

/// GeoJSON positions are `[lon, lat]` or `[lon, lat, altitude]`.
type Ring = Vec<Vec<f64>>;

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Ring>),
    MultiPolygon(Vec<Vec<Ring>>),
}

impl Geometry {
    /// Each polygon as its rings (outer ring first, then holes).
    fn polygons(&self) -> Box<dyn Iterator<Item = &[Ring]> + '_> {
        match self {
            Geometry::Polygon(rings) => Box::new(std::iter::once(rings.as_slice())),
            Geometry::MultiPolygon(polygons) => Box::new(polygons.iter().map(Vec::as_slice)),
        }
    }
}
