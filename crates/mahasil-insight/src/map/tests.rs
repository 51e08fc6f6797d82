#![expect(clippy::unwrap_used, reason = "a test that cannot build the map has failed already")]

use super::*;

fn kp() -> &'static DistrictMap {
    DistrictMap::kp().unwrap()
}

fn shade(slug: &str, fill_level: Option<u8>, title: &str, href: Option<&str>) -> Shade {
    Shade { slug: slug.to_owned(), fill_level, title: title.to_owned(), href: href.map(str::to_owned) }
}

/// The (x, y) pairs of path data written as `M x yL x y…Z`.
fn points(d: &str) -> Vec<(f64, f64)> {
    let numbers: Vec<&str> = d.split(['M', 'L', 'Z', ' ']).filter(|s| !s.is_empty()).collect();
    assert_eq!(numbers.len() % 2, 0, "path data {d:?} has an odd count of numbers");
    numbers.chunks(2).map(|xy| (xy[0].parse().unwrap(), xy[1].parse().unwrap())).collect()
}

/// Elements open and close in order (`<x>…</x>`, `<x/>`), so the output is well-formed.
fn assert_balanced(markup: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = markup;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').unwrap();
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "closing </{name}> out of order");
        } else if !tag.ends_with('/') {
            open.push(tag.split(' ').next().unwrap());
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

const SQUARE: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"Square","slug":"square","source_id":"sq"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#;

#[test]
fn all_35_districts_of_kp_are_parsed_in_name_order() {
    let map = kp();
    let slugs: Vec<&str> = map.slugs().collect();
    assert_eq!(slugs.len(), 35);
    assert_eq!(slugs.first(), Some(&"abbottabad"));
    assert_eq!(slugs.last(), Some(&"upper-kohistan"));
    for slug in ["dera-ismail-khan", "kolai-palas-kohistan", "lower-chitral", "north-waziristan", "south-waziristan", "torghar"] {
        assert!(slugs.contains(&slug), "{slug} is missing");
    }
    let dik = map.district("dera-ismail-khan").unwrap();
    assert_eq!((dik.name(), dik.source_id()), ("Dera Ismail Khan", "kp_dera_ismail_khan"));
    assert_eq!(map.width(), VIEW_WIDTH);
    // KP is taller than wide: about 5.75° of latitude against 4.9° of longitude at 34°N.
    assert!((800..=900).contains(&map.height()), "height {}", map.height());
}

#[test]
fn every_ring_starts_with_m_and_ends_with_z_with_one_decimal_and_no_repeats() {
    for district in kp().districts() {
        let d = district.path_d();
        assert!(d.starts_with('M') && d.ends_with('Z'), "{}: {d:.40}…", district.slug());
        for ring in d.split_inclusive('Z') {
            assert!(ring.starts_with('M') && ring.ends_with('Z'), "{}: ring {ring:.40}…", district.slug());
            let pts = points(ring);
            assert!(pts.len() >= 3, "{}: a ring of {} points", district.slug(), pts.len());
            assert!(pts.windows(2).all(|w| w[0] != w[1]), "{}: consecutive repeat", district.slug());
            assert_ne!(pts.first(), pts.last(), "{}: closing point written besides Z", district.slug());
        }
        let decimals_ok = d.split(['M', 'L', 'Z', ' ']).all(|n| n.split_once('.').is_none_or(|(_, frac)| frac.len() == 1));
        assert!(decimals_ok, "{}: more than one decimal", district.slug());
    }
}

#[test]
fn polygons_with_a_hole_and_multipolygons_keep_every_ring() {
    let rings = |slug: &str| kp().district(slug).unwrap().path_d().matches('M').count();
    assert_eq!(rings("mansehra"), 2, "an outer ring and its hole");
    assert_eq!(rings("haripur"), 2, "two polygons");
    assert_eq!(rings("peshawar"), 1);
}

#[test]
fn every_coordinate_and_label_lies_inside_the_view_box_above_the_attribution() {
    let map = kp();
    let (w, h) = (f64::from(map.width()), f64::from(map.height()) - ATTRIBUTION_BAND);
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for district in map.districts() {
        for (x, y) in points(district.path_d()) {
            assert!((0.0..=w).contains(&x) && (0.0..=h).contains(&y), "{}: ({x}, {y}) outside 0..{w} × 0..{h}", district.slug());
            (min_x, max_x, min_y, max_y) = (min_x.min(x), max_x.max(x), min_y.min(y), max_y.max(y));
        }
        let label = district.label_anchor();
        assert!((0.0..=w).contains(&label.x) && (0.0..=h).contains(&label.y), "{}: label {label:?}", district.slug());
    }
    // The districts fill the width between the paddings.
    assert_eq!((min_x, max_x, min_y), (VIEW_PADDING, w - VIEW_PADDING, VIEW_PADDING));
    assert!((max_y - (h - VIEW_PADDING)).abs() <= 1.0, "bottom {max_y} against {h}");
}

#[test]
fn the_projection_keeps_east_east_and_north_up() {
    let at = |slug: &str| kp().district(slug).unwrap().label_anchor();
    let (peshawar, khyber, kohat) = (at("peshawar"), at("khyber"), at("kohat"));
    assert!(peshawar.x > khyber.x, "Peshawar {peshawar:?} is east of Khyber {khyber:?}");
    assert!(peshawar.y < kohat.y, "Peshawar {peshawar:?} is north of Kohat {kohat:?}");
    assert!(at("upper-chitral").y < at("dera-ismail-khan").y, "Chitral is far north of D. I. Khan");
    assert!(at("abbottabad").x > at("bajaur").x, "Abbottabad is east of Bajaur");
}

#[test]
fn the_label_of_a_square_is_its_centre_and_longitude_is_shortened_by_the_latitude() {
    let map = DistrictMap::parse(SQUARE).unwrap();
    let square = map.district("square").unwrap();
    // At the equator a degree of longitude is a degree of latitude: the square stays square.
    assert_eq!(square.path_d(), "M4 596L596 596L596 4L4 4Z");
    assert_eq!(square.label_anchor(), Point { x: 300.0, y: 300.0 });

    let north = SQUARE.replace("[[[0,0],[1,0],[1,1],[0,1],[0,0]]]", "[[[0,59.5],[1,59.5],[1,60.5],[0,60.5],[0,59.5]]]");
    let map = DistrictMap::parse(&north).unwrap();
    // At 60°N a degree of longitude is half as long: the square becomes twice as tall as wide.
    assert_eq!(map.district("square").unwrap().path_d(), "M4 1188L596 1188L596 4L4 4Z");
}

#[test]
fn unshaded_districts_are_hatched_and_titled_with_their_name() {
    let svg = kp().render(&[]);
    assert_eq!(svg.matches("class=\"lvl-none\"").count(), 35);
    assert_eq!(svg.matches(&format!("fill=\"url(#{NO_DATA_PATTERN_ID})\"")).count(), 35);
    assert!(svg.contains("<title>Dera Ismail Khan</title>"));
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"district-map\" viewBox=\"0 0 600 "));
    assert!(svg.contains("role=\"img\" aria-label=\"Map of the districts of Khyber Pakhtunkhwa\""));
    assert!(!svg.contains("<a "));
    assert_balanced(&svg);
}

#[test]
fn shades_set_the_level_title_and_link_and_levels_above_4_are_drawn_as_4() {
    let shading = [
        shade("peshawar", Some(3), "Peshawar: 78% collected", Some("/dashboard/districts/peshawar")),
        shade("swat", Some(0), "Swat: 12% collected", None),
        shade("bannu", Some(9), "Bannu", None),
        shade("tank", None, "Tank: no challans yet", None),
        shade("peshawar", Some(1), "a second shade of Peshawar is ignored", None),
    ];
    let svg = kp().render(&shading);
    assert!(svg.contains("<a href=\"/dashboard/districts/peshawar\"><path class=\"lvl-3\" data-slug=\"peshawar\" d=\"M"));
    assert!(svg.contains("<title>Peshawar: 78% collected</title></path></a>"));
    assert!(svg.contains("<path class=\"lvl-0\" data-slug=\"swat\""));
    assert!(svg.contains("<path class=\"lvl-4\" data-slug=\"bannu\""));
    assert!(svg.contains("<title>Tank: no challans yet</title>"));
    assert!(!svg.contains("second shade"));
    assert_eq!(svg.matches("class=\"lvl-none\"").count(), 35 - 3);
    assert!(svg.contains("role=\"group\""), "links inside an img would be hidden from screen readers");
    assert_balanced(&svg);
}

#[test]
fn shades_of_districts_the_map_does_not_have_are_ignored() {
    let map = kp();
    assert_eq!(map.render(&[shade("central-dir", Some(2), "Central Dir", Some("/x"))]), map.render(&[]));
}

#[test]
fn every_text_is_escaped() {
    let hostile = "<&\"'>";
    let svg = kp().render_labelled(hostile, &[shade("kohat", Some(1), hostile, Some("/d?a=1&b=\"2\""))]);
    assert!(!svg.contains(hostile));
    assert!(svg.contains("aria-label=\"&lt;&amp;&quot;&#39;&gt;\""));
    assert!(svg.contains("<title>&lt;&amp;&quot;&#39;&gt;</title>"));
    assert!(svg.contains("<a href=\"/d?a=1&amp;b=&quot;2&quot;\">"));
    assert_eq!(svg::escape("a\u{0}b\u{1b}c\nd"), "abc\nd");
    assert_balanced(&svg);
}

#[test]
fn the_attribution_is_drawn_inside_the_map_left_to_right() {
    let svg = kp().render(&[]);
    assert!(attribution().contains("geoBoundaries") && attribution().contains("ODbL 1.0"));
    assert!(attribution_full().contains("shehroz-iqbal/pakistan-district-data"));
    let text = format!("text-anchor=\"end\" direction=\"ltr\">{}</text></svg>", attribution().replace('&', "&amp;"));
    assert!(svg.ends_with(&text), "{}", &svg[svg.len() - 200..]);
}

#[test]
fn a_fully_shaded_map_with_links_stays_small() {
    let map = kp();
    let shading: Vec<Shade> = map
        .districts()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let title = format!("{}: 100% collected, PKR 12,345,678 of PKR 12,345,678", d.name());
            shade(d.slug(), Some((i % 5) as u8), &title, Some(&format!("/dashboard/districts/{}", d.slug())))
        })
        .collect();
    let svg = map.render(&shading);
    assert!(svg.len() < 120 * 1024, "{} bytes", svg.len());
    assert_eq!(svg.matches("<a href=").count(), 35);
}

#[test]
fn the_legend_lists_five_levels_and_no_data_in_order() {
    let html = legend(&["< 20%", "20–40%", "40–60%", "60–80%", "≥ 80%"], "no data");
    assert!(html.starts_with("<ul class=\"map-legend\"><li><span class=\"map-swatch lvl-0\" aria-hidden=\"true\"></span>&lt; 20%</li>"));
    assert!(html.ends_with("<li><span class=\"map-swatch lvl-none\" aria-hidden=\"true\"></span>no data</li></ul>"));
    assert_eq!(html.matches("<li>").count(), 6);
    assert_balanced(&html);
}

#[test]
fn the_css_colours_every_level() {
    for class in ["lvl-0", "lvl-1", "lvl-2", "lvl-3", "lvl-4"] {
        assert!(MAP_CSS.contains(&format!(".district-map .{class} {{ fill: var(--map-{class}); }}")), "{class}");
        assert!(MAP_CSS.contains(&format!(".map-legend .{class} {{ background: var(--map-{class}); }}")), "{class}");
    }
    assert!(MAP_CSS.contains(".map-legend .lvl-none"));
}

#[test]
fn malformed_boundary_files_are_refused_with_a_reason() {
    let refused = |text: &str| DistrictMap::parse(text).unwrap_err();
    assert!(matches!(refused("{"), MapError::Json(_)));
    assert!(matches!(refused(r#"{"type":"FeatureCollection","features":[]}"#), MapError::NoDistricts));
    assert!(matches!(refused(&SQUARE.replace("Polygon", "LineString")), MapError::Json(_)));
    let twice = SQUARE.replace("]]]}}]}", "]]]}},") + &SQUARE[SQUARE.find("\n{").unwrap() + 1..];
    assert_eq!(refused(&twice), MapError::DuplicateSlug { slug: "square".to_owned() });
    let geometry = |slug: &str, problem| MapError::Geometry { slug: slug.to_owned(), problem };
    assert_eq!(refused(&SQUARE.replace("[0,1]", "[0]")), geometry("square", "a position has fewer than two numbers"));
    assert_eq!(refused(&SQUARE.replace("[0,1]", "[0,91]")), geometry("square", "a position is not a longitude and latitude in degrees"));
    let speck = SQUARE.replace("[[[0,0],[1,0],[1,1],[0,1],[0,0]]]", "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},{\"type\":\"Feature\",\"properties\":{\"name\":\"Speck\",\"slug\":\"speck\",\"source_id\":\"sp\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0.5,0.5],[0.50001,0.5],[0.5,0.50001],[0.5,0.5]]]");
    assert_eq!(refused(&speck), geometry("speck", "no ring keeps three distinct points at this scale"));
    let too_large = format!("{SQUARE}{}", " ".repeat(MAX_GEOJSON_BYTES));
    assert!(matches!(refused(&too_large), MapError::TooLarge { .. }));
}
