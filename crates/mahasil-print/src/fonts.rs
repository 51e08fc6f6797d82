//! The embedded fonts, parsed once per process for both the shaper and the rasteriser.
//!
//! Noto Sans (Latin, regular and bold) and Noto Nastaliq Urdu, all SIL OFL 1.1 with their
//! licence files beside them. Nastaliq is the script Urdu readers expect on official paper;
//! the Urdu font is the one the server already embeds for its pages, so screen and paper
//! match.

use std::sync::LazyLock;

use std::str::FromStr;

use ab_glyph::Font as _;
use rustybuzz::{Direction, Language, Script, ShapePlan, script};

use crate::{PrintError, Result};

const SANS: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
const SANS_BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");
const URDU: &[u8] = include_bytes!("../../mahasil-server/assets/fonts/NotoNastaliqUrdu-Regular.ttf");

/// Which embedded font a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FontId {
    Sans,
    SansBold,
    Urdu,
}

impl FontId {
    pub(crate) fn bytes(self) -> &'static [u8] {
        match self {
            FontId::Sans => SANS,
            FontId::SansBold => SANS_BOLD,
            FontId::Urdu => URDU,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            FontId::Sans => "NotoSans-Regular",
            FontId::SansBold => "NotoSans-Bold",
            FontId::Urdu => "NotoNastaliqUrdu-Regular",
        }
    }
}

/// One font, parsed for shaping (rustybuzz) and for drawing dots (ab_glyph).
pub(crate) struct LoadedFont {
    pub shaper: rustybuzz::Face<'static>,
    /// Compiled shaping plans, left-to-right and right-to-left. Compiling a plan walks the
    /// font's feature lists, which for Nastaliq costs as much as shaping a short line.
    plans: [ShapePlan; 2],
    pub raster: ab_glyph::FontRef<'static>,
    /// Font units per em: shaped advances divide by this to become ems.
    pub units_per_em: f32,
    /// ab_glyph scales by line height, not by em; this converts an em size to its scale.
    pub em_to_px_scale: f32,
}

impl LoadedFont {
    /// Fails with the font's name.
    fn parse(id: FontId) -> Result<Self, &'static str> {
        let bytes = id.bytes();
        let shaper = rustybuzz::Face::from_slice(bytes, 0).ok_or(id.name())?;
        let raster = ab_glyph::FontRef::try_from_slice(bytes).map_err(|_| id.name())?;
        let units_per_em = shaper.units_per_em() as f32;
        let height = raster.height_unscaled();
        if units_per_em <= 0.0 || height <= 0.0 {
            return Err(id.name());
        }
        let (script, language) = script_of(id);
        let plan = |dir| ShapePlan::new(&shaper, dir, Some(script), language.as_ref(), &[]);
        Ok(Self { plans: [plan(Direction::LeftToRight), plan(Direction::RightToLeft)], em_to_px_scale: height / units_per_em, units_per_em, shaper, raster })
    }

    /// The plan for one direction; buffers shaped with it must carry [`script_of`]'s
    /// script and language and the same direction.
    pub(crate) fn plan(&self, rtl: bool) -> &ShapePlan {
        &self.plans[usize::from(rtl)]
    }
}

/// The script and language each font is shaped as. Urdu, not Arabic: the Nastaliq font
/// has Urdu-specific forms (heh goal, yeh barree, Urdu digits).
pub(crate) fn script_of(id: FontId) -> (Script, Option<Language>) {
    match id {
        FontId::Sans | FontId::SansBold => (script::LATIN, None),
        FontId::Urdu => (script::ARABIC, Language::from_str("ur").ok()),
    }
}

/// The three fonts, indexed by [`FontId`].
pub(crate) struct Fonts {
    sans: LoadedFont,
    sans_bold: LoadedFont,
    urdu: LoadedFont,
}

impl Fonts {
    pub(crate) fn get(&self, id: FontId) -> &LoadedFont {
        match id {
            FontId::Sans => &self.sans,
            FontId::SansBold => &self.sans_bold,
            FontId::Urdu => &self.urdu,
        }
    }
}

/// Parsed on first use and kept: parsing the Nastaliq font's tables costs more than
/// drawing a whole receipt.
static FONTS: LazyLock<Result<Fonts, &'static str>> = LazyLock::new(|| {
    Ok(Fonts { sans: LoadedFont::parse(FontId::Sans)?, sans_bold: LoadedFont::parse(FontId::SansBold)?, urdu: LoadedFont::parse(FontId::Urdu)? })
});

pub(crate) fn fonts() -> Result<&'static Fonts> {
    FONTS.as_ref().map_err(|name| PrintError::Font(name))
}
