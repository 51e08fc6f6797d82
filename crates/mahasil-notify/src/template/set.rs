//! [`TemplateSet`]: one template for every kind, language and channel, starting from the
//! defaults, with the ones an admin has edited put in their place.

use super::defaults::default_source;
use super::parsed::Template;
use super::{Channel, Language, MessageKind};
use crate::Result;

/// A complete set of templates: [`TemplateSet::get`] always has an answer.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    /// In the order of [`slot`].
    templates: Vec<Template>,
}

/// Where the template for a kind, language and channel sits in the set.
fn slot(kind: MessageKind, language: Language, channel: Channel) -> usize {
    let k = MessageKind::ALL.iter().position(|&x| x == kind).unwrap_or_default();
    let l = Language::ALL.iter().position(|&x| x == language).unwrap_or_default();
    let c = Channel::ALL.iter().position(|&x| x == channel).unwrap_or_default();
    (k * Language::ALL.len() + l) * Channel::ALL.len() + c
}

impl TemplateSet {
    /// The default templates, official in tone, for every kind in English and Urdu on every
    /// channel. They are tested to parse, so an error here means a broken build.
    pub fn defaults() -> Result<Self> {
        let mut templates = Vec::with_capacity(MessageKind::ALL.len() * Language::ALL.len() * Channel::ALL.len());
        for kind in MessageKind::ALL {
            for language in Language::ALL {
                for channel in Channel::ALL {
                    templates.push(Template::parse(kind, language, channel, &default_source(kind, language, channel))?);
                }
            }
        }
        Ok(Self { templates })
    }

    /// The template for `kind` in `language` on `channel`.
    pub fn get(&self, kind: MessageKind, language: Language, channel: Channel) -> &Template {
        // Every slot is filled by `defaults`, and `replace` keeps each in its slot.
        &self.templates[slot(kind, language, channel)]
    }

    /// Puts an edited template in the place of the one for its kind, language and channel;
    /// the one it replaces is returned.
    pub fn replace(&mut self, template: Template) -> Template {
        let index = slot(template.kind(), template.language(), template.channel());
        std::mem::replace(&mut self.templates[index], template)
    }

    /// Every template, for listing.
    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.templates.iter()
    }
}
