//! Service guides (办事指南): by category, then service, then what to bring, the conditions,
//! time limit and fee; a guide leads on to taking a number for its service.

use contract::model::{MaterialForm, Service, WindowType};

use super::speech::Phrase;
use super::view::{Line, Page, Texts, View};
use super::{action, Effect, Kiosk};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    Categories,
    Services { category: String },
    Guide { service: String },
}

impl Kiosk {
    pub(super) fn activate_guides(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::Categories if self.catalog().categories.iter().any(|c| c.code == id) => {
                self.go(Screen::Services { category: id.to_string() })
            }
            Screen::Services { .. } if self.service(id).is_some() => self.go(Screen::Guide { service: id.to_string() }),
            Screen::Guide { service } if id == action::TAKE_NUMBER => return self.start_flow(&service),
            _ => {}
        }
        vec![]
    }

    pub(super) fn guides_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        let categories = &self.catalog().categories;
        match screen {
            Screen::Categories => {
                view.page = Page::List;
                view.title = t.prompt("guides.title");
                view.prompt = t.prompt("guides.prompt");
                view.items =
                    categories.iter().map(|c| t.data_item(&c.code, &c.name, None, "guides.category.help")).collect();
            }
            Screen::Services { category } => {
                view.page = Page::List;
                view.title =
                    categories.iter().find(|c| &c.code == category).map(|c| t.said(&c.name)).unwrap_or_default();
                view.prompt = t.prompt("guide-services.prompt");
                view.items = self.service_items(|s| &s.category == category, "guides.service.help", t);
            }
            Screen::Guide { service } => {
                if let Some(service) = self.service(service) {
                    view.page = Page::Guide;
                    view.title = t.said(&service.name);
                    view.prompt = t.prompt("guide.prompt");
                    view.lines = guide_lines(service, t);
                    view.items = vec![t.button(action::TAKE_NUMBER, "guide.take-number")];
                }
            }
        }
    }
}

/// A service guide as lines: department, materials, conditions, time limit, fee, type.
fn guide_lines(service: &Service, t: Texts) -> Vec<Line> {
    let heading = |id: &str| Line::heading(t.prompt(id));
    let body = |phrase: Phrase| Line::body(t.phrase(phrase));
    let field = |label: &str, value| Line::field(t.prompt(label), value);

    let mut lines = vec![field("guide.department", t.said(&service.department))];
    lines.push(heading("guide.materials"));
    for (n, material) in service.materials.iter().enumerate() {
        let form = Phrase::prompt(match material.form {
            MaterialForm::Original => "material.original",
            MaterialForm::Copy => "material.copy",
            MaterialForm::OriginalAndCopy => "material.original-and-copy",
        });
        let need = Phrase::prompt(if material.required { "material.required" } else { "material.optional" });
        let copies = Phrase::prompt_with("material.copies", vec![Phrase::number(material.copies as u64)]);
        let name = Phrase::text(t.pick(&material.name));
        let number = Phrase::number(n as u64 + 1);
        lines.push(body(Phrase::prompt_with("material.line", vec![number, name, form, copies, need])));
    }
    if !service.conditions.is_empty() {
        lines.push(heading("guide.conditions"));
        lines.extend(service.conditions.iter().map(|c| body(Phrase::text(t.pick(c)))));
    }
    lines.push(field("guide.time-limit", t.said(&service.time_limit)));
    lines.push(field("guide.fee", t.said(&service.fee)));
    let kind = match service.window_type {
        WindowType::Immediate => "guide.immediate",
        WindowType::Promised => "guide.promised",
    };
    lines.push(field("guide.window-type", t.prompt(kind)));
    lines
}
