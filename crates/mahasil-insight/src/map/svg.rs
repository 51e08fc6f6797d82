//! The map as one `<svg>` element, shaded per district: the colours live in `MAP_CSS`
//! (classes `lvl-0` … `lvl-4` and `lvl-none`), the words come from the caller, and the
//! ODbL attribution is drawn inside the picture as well as offered as text.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::DistrictMap;

/// How one district is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shade {
    /// The district's slug, e.g. "peshawar"; slugs the map does not have are ignored.
    pub slug: String,
    /// The bucket 0 (lowest) to 4 (highest), or `None` when there is no figure; levels
    /// above 4 are drawn as 4.
    pub fill_level: Option<u8>,
    /// The tooltip and accessible name, e.g. "Peshawar: 78% collected".
    pub title: String,
    /// Where a click on the district leads, e.g. "/dashboard/districts/peshawar".
    pub href: Option<String>,
}

/// The number of colour steps of the ramp.
pub const LEVELS: u8 = 5;

/// The id of the hatching that marks districts without a figure. It is defined inside
/// every rendered map; two maps on one page define the same pattern twice, harmlessly.
pub const NO_DATA_PATTERN_ID: &str = "kp-map-no-data";

/// The map's and the legend's styles. The ramp is ColorBrewer's YlGnBu (its 6-class
/// scheme without the palest step, so white borders show on the lowest level): sequential,
/// lighter to darker, readable with the common colour-vision deficiencies and in grey.
/// Districts without a figure are hatched, not coloured, so no colour has two meanings.
/// The dashboard's stylesheet repeats the ramp (`--map-lvl-*`); a test there compares them.
pub const MAP_CSS: &str = "\
.district-map, .map-legend {
  --map-lvl-0: #c7e9b4;
  --map-lvl-1: #7fcdbb;
  --map-lvl-2: #41b6c4;
  --map-lvl-3: #2c7fb8;
  --map-lvl-4: #253494;
  --map-no-data: #f4f5f6;
  --map-no-data-hatch: #9aa3ab;
  --map-border: #ffffff;
  --map-focus: #1d2327;
  --map-text: #5b6670;
}
.district-map { display: block; width: 100%; height: auto; max-height: 85vh; }
.district-map path { stroke: var(--map-border); stroke-width: 0.8; stroke-linejoin: round; fill-rule: evenodd; }
.district-map .lvl-0 { fill: var(--map-lvl-0); }
.district-map .lvl-1 { fill: var(--map-lvl-1); }
.district-map .lvl-2 { fill: var(--map-lvl-2); }
.district-map .lvl-3 { fill: var(--map-lvl-3); }
.district-map .lvl-4 { fill: var(--map-lvl-4); }
.district-map .no-data-ground { fill: var(--map-no-data); stroke: none; }
.district-map .no-data-hatch { stroke: var(--map-no-data-hatch); stroke-width: 1.5; }
.district-map a:hover path, .district-map a:focus-visible path { stroke: var(--map-focus); stroke-width: 2.5; }
.district-map a:focus { outline: none; }
.district-map .map-attribution { font-size: 12px; fill: var(--map-text); }
.map-legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: .5rem 0 0; padding: 0; list-style: none; font-size: .875rem; }
.map-legend li { display: flex; align-items: center; gap: .4rem; }
.map-legend .map-swatch { display: inline-block; width: 1.1rem; height: 1.1rem; border: 1px solid #b8c0c7; border-radius: 2px; }
.map-legend .lvl-0 { background: var(--map-lvl-0); }
.map-legend .lvl-1 { background: var(--map-lvl-1); }
.map-legend .lvl-2 { background: var(--map-lvl-2); }
.map-legend .lvl-3 { background: var(--map-lvl-3); }
.map-legend .lvl-4 { background: var(--map-lvl-4); }
.map-legend .lvl-none { background: repeating-linear-gradient(45deg, var(--map-no-data-hatch) 0 1.5px, var(--map-no-data) 1.5px 5px); }
";

/// The attribution drawn at the foot of the map (the licence asks for it on every map
/// made from the data).
const ATTRIBUTION: &str = "District boundaries © geoBoundaries, rebuilt to 2023 census districts, ODbL 1.0";

/// The fuller attribution, for a page's footer or an "About" panel.
const ATTRIBUTION_FULL: &str = "District boundaries © geoBoundaries gbOpen PAK ADM3 (Pathways Data Pvt. Ltd., based on \
Pakistan Bureau of Statistics census maps), rebuilt to 2023 census districts by shehroz-iqbal/pakistan-district-data, \
ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)";

/// The attribution the map draws, as text: also worth showing under the map in HTML,
/// where it stays legible on a phone.
pub fn attribution() -> &'static str {
    ATTRIBUTION
}

/// The attribution with the whole chain of sources and the licence's address.
pub fn attribution_full() -> &'static str {
    ATTRIBUTION_FULL
}

/// The legend as an HTML list: one item per level, lowest first, then the item for
/// districts without a figure. `labels[n]` describes level n, e.g. "under 40%".
pub fn legend(labels: &[&str; LEVELS as usize], no_data: &str) -> String {
    let mut html = String::from("<ul class=\"map-legend\">");
    let items = labels.iter().enumerate().map(|(n, label)| (format!("lvl-{n}"), *label)).chain([("lvl-none".to_owned(), no_data)]);
    for (class, label) in items {
        let _ = write!(html, "<li><span class=\"map-swatch {class}\" aria-hidden=\"true\"></span>{}</li>", escape(label));
    }
    html.push_str("</ul>");
    html
}

impl DistrictMap {
    /// The map shaded as given, with an English accessible name; `render_labelled` takes
    /// the name in the page's language.
    pub fn render(&self, shading: &[Shade]) -> String {
        self.render_labelled("Map of the districts of Khyber Pakhtunkhwa", shading)
    }

    /// The map as one `<svg>` element. Districts without a shade are hatched and titled with
    /// their name; shades for unknown districts are ignored; the first shade of a slug wins.
    /// A map with links is a `group` of links rather than an `img`, whose children screen
    /// readers would not reach.
    pub fn render_labelled(&self, aria_label: &str, shading: &[Shade]) -> String {
        let mut by_slug: HashMap<&str, &Shade> = HashMap::with_capacity(shading.len());
        for shade in shading {
            by_slug.entry(shade.slug.as_str()).or_insert(shade);
        }
        let has_links = self.districts.iter().any(|d| by_slug.get(d.slug()).is_some_and(|s| s.href.is_some()));
        let role = if has_links { "group" } else { "img" };

        let mut svg = String::with_capacity(64 * 1024);
        let (w, h) = (self.width, self.height);
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"district-map\" viewBox=\"0 0 {w} {h}\" role=\"{role}\" aria-label=\"{}\">",
            escape(aria_label)
        );
        let _ = write!(
            svg,
            "<defs><pattern id=\"{NO_DATA_PATTERN_ID}\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
             <rect class=\"no-data-ground\" width=\"5\" height=\"5\"/><line class=\"no-data-hatch\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\"/></pattern></defs>"
        );
        for district in &self.districts {
            let shade = by_slug.get(district.slug()).copied();
            let level = shade.and_then(|s| s.fill_level).map(|l| l.min(LEVELS - 1));
            let title = shade.map_or(district.name(), |s| s.title.as_str());
            let href = shade.and_then(|s| s.href.as_deref());
            if let Some(href) = href {
                let _ = write!(svg, "<a href=\"{}\">", escape(href));
            }
            match level {
                Some(n) => {
                    let _ = write!(svg, "<path class=\"lvl-{n}\"");
                }
                // A fill attribute rather than CSS: `url(#…)` in an external stylesheet
                // is not resolved against the page in every browser.
                None => {
                    let _ = write!(svg, "<path class=\"lvl-none\" fill=\"url(#{NO_DATA_PATTERN_ID})\"");
                }
            }
            let _ = write!(svg, " data-slug=\"{}\" d=\"{}\"><title>{}</title></path>", escape(district.slug()), district.path_d(), escape(title));
            if href.is_some() {
                svg.push_str("</a>");
            }
        }
        // `direction` fixed so that `text-anchor="end"` stays at the right edge on an
        // Urdu (right-to-left) page.
        let _ = write!(
            svg,
            "<text class=\"map-attribution\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" direction=\"ltr\">{}</text></svg>",
            w - 4,
            self.attribution_y,
            escape(ATTRIBUTION)
        );
        svg
    }
}

/// Text and attribute values made safe for HTML and XML: the five special characters
/// become references, and control characters XML forbids are dropped.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
