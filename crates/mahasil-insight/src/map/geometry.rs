//! From longitude/latitude to SVG path data: an equirectangular projection (longitude
//! shortened by the cosine of the middle latitude, y pointing south), coordinates kept in
//! whole tenths of a viewBox unit so that rounding, de-duplication and printing agree.

use std::fmt::Write as _;

use super::{MapError, Ring};

/// A point in viewBox units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Checks every position before anything is projected: at least two numbers, a longitude
/// and a latitude in range.
pub(super) fn check_lon_lat<'a>(slug: &str, polygons: impl Iterator<Item = &'a [Ring]>) -> Result<(), MapError> {
    let problem = |problem| Err(MapError::Geometry { slug: slug.to_owned(), problem });
    for position in polygons.flatten().flatten() {
        let [lon, lat, ..] = position.as_slice() else {
            return problem("a position has fewer than two numbers");
        };
        if !(lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(lon) && (-90.0..=90.0).contains(lat)) {
            return problem("a position is not a longitude and latitude in degrees");
        }
    }
    Ok(())
}

/// The longitude and latitude extent of all positions.
pub(super) struct Bounds {
    lon_min: f64,
    lon_max: f64,
    lat_min: f64,
    lat_max: f64,
}

impl Bounds {
    pub(super) fn of<'a>(polygons: impl Iterator<Item = &'a [Ring]>) -> Bounds {
        let mut b = Bounds { lon_min: f64::INFINITY, lon_max: f64::NEG_INFINITY, lat_min: f64::INFINITY, lat_max: f64::NEG_INFINITY };
        for (lon, lat) in polygons.flatten().flatten().filter_map(|p| lon_lat(p)) {
            b.lon_min = b.lon_min.min(lon);
            b.lon_max = b.lon_max.max(lon);
            b.lat_min = b.lat_min.min(lat);
            b.lat_max = b.lat_max.max(lat);
        }
        b
    }
}

/// Equirectangular, fitted to a width: x grows east, y grows south.
pub(super) struct Projection {
    lon_min: f64,
    lat_max: f64,
    /// ViewBox units per degree of latitude.
    scale: f64,
    /// `cos(middle latitude)`: a degree of longitude is this much shorter on the ground.
    lon_factor: f64,
    padding: f64,
    height: f64,
}

impl Projection {
    pub(super) fn fit(bounds: &Bounds, width: f64, padding: f64) -> Projection {
        let lon_factor = ((bounds.lat_min + bounds.lat_max) / 2.0).to_radians().cos();
        // A single point or a north-south line would divide by zero; such a map draws no
        // ring and is refused later.
        let lon_span = ((bounds.lon_max - bounds.lon_min) * lon_factor).max(f64::EPSILON);
        let scale = (width - 2.0 * padding) / lon_span;
        let height = (bounds.lat_max - bounds.lat_min) * scale + 2.0 * padding;
        Projection { lon_min: bounds.lon_min, lat_max: bounds.lat_max, scale, lon_factor, padding, height }
    }

    /// The bottom edge of the districts' area, padding included.
    pub(super) fn height(&self) -> f64 {
        self.height
    }

    /// The point in tenths of a viewBox unit.
    fn project_tenths(&self, lon: f64, lat: f64) -> (i32, i32) {
        let x = self.padding + (lon - self.lon_min) * self.lon_factor * self.scale;
        let y = self.padding + (self.lat_max - lat) * self.scale;
        // Inside the viewBox (a few thousand tenths), so the saturating cast never saturates.
        ((x * 10.0).round() as i32, (y * 10.0).round() as i32)
    }
}

/// A district's path data and label anchor.
pub(super) struct Drawn {
    pub(super) path: String,
    pub(super) label: Point,
}

/// Draws every ring of every polygon that keeps at least three distinct points after
/// rounding; `None` when none does.
pub(super) fn draw<'a>(projection: &Projection, polygons: impl Iterator<Item = &'a [Ring]>) -> Option<Drawn> {
    let mut path = String::new();
    let mut largest: Option<(f64, Point)> = None;
    for ring in polygons.flatten() {
        let points = rounded_ring(projection, ring);
        if points.len() < 3 {
            continue;
        }
        write_ring(&mut path, &points);
        let (area, centre) = area_and_centroid(&points);
        if largest.is_none_or(|(a, _)| area > a) {
            largest = Some((area, centre));
        }
    }
    let (_, label) = largest?;
    Some(Drawn { path, label })
}

fn lon_lat(position: &[f64]) -> Option<(f64, f64)> {
    match position {
        [lon, lat, ..] => Some((*lon, *lat)),
        _ => None,
    }
}

/// The ring in tenths, without consecutive repeats and without the closing point (`Z`
/// closes the ring).
fn rounded_ring(projection: &Projection, ring: &[Vec<f64>]) -> Vec<(i32, i32)> {
    let mut points: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
    for (lon, lat) in ring.iter().filter_map(|p| lon_lat(p)) {
        let point = projection.project_tenths(lon, lat);
        if points.last() != Some(&point) {
            points.push(point);
        }
    }
    while points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    points
}

fn write_ring(path: &mut String, points: &[(i32, i32)]) {
    for (i, &(x, y)) in points.iter().enumerate() {
        path.push(if i == 0 { 'M' } else { 'L' });
        write_tenths(path, x);
        path.push(' ');
        write_tenths(path, y);
    }
    path.push('Z');
}

/// `123` → "12.3", `120` → "12": the shortest text for one decimal.
fn write_tenths(out: &mut String, tenths: i32) {
    if tenths < 0 {
        out.push('-');
    }
    let magnitude = tenths.unsigned_abs();
    // Writing to a String cannot fail.
    let _ = match magnitude % 10 {
        0 => write!(out, "{}", magnitude / 10),
        frac => write!(out, "{}.{frac}", magnitude / 10),
    };
}

/// The absolute area of a ring and its area-weighted centroid (the vertex mean for a ring
/// of no area), rounded to a tenth.
fn area_and_centroid(points: &[(i32, i32)]) -> (f64, Point) {
    let xy = |(x, y): (i32, i32)| (f64::from(x) / 10.0, f64::from(y) / 10.0);
    let (mut twice_area, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (i, &p) in points.iter().enumerate() {
        let (x0, y0) = xy(p);
        let (x1, y1) = xy(points[(i + 1) % points.len()]);
        let cross = x0 * y1 - x1 * y0;
        twice_area += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    let round = |v: f64| (v * 10.0).round() / 10.0;
    if twice_area.abs() < 1e-9 {
        let n = points.len() as f64;
        let (sx, sy) = points.iter().map(|&p| xy(p)).fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
        return (0.0, Point { x: round(sx / n), y: round(sy / n) });
    }
    (twice_area.abs() / 2.0, Point { x: round(cx / (3.0 * twice_area)), y: round(cy / (3.0 * twice_area)) })
}
