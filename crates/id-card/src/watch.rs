//! Polls of a reader turned into news: each placement once, trouble once, recovery once.

use crate::{CardReader, CardText, ReaderError};

/// What a poll of [`CardWatch`] has to tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardNews {
    /// A card was placed on the reader and read.
    Placed(CardText),
    /// The reader went wrong. Not repeated while it stays wrong.
    Trouble(ReaderError),
    /// The reader answers again after [`CardNews::Trouble`].
    Recovered,
}

/// Polls in a row without a card after which the last card counts as taken away. After a
/// read, modules may not find a card still lying there on the next poll (it has halted)
/// and find it again on the one after, so a single empty poll proves nothing; two do.
const EMPTY_POLLS_FOR_REMOVAL: u32 = 2;

/// Watches a reader for cards. Call [`CardWatch::poll`] every few hundred milliseconds.
pub struct CardWatch<R: CardReader> {
    reader: R,
    /// The ID number of the card last reported, while it may still be on the reader.
    on_reader: Option<String>,
    /// Polls in a row that found no card.
    empty_polls: u32,
    /// Trouble was reported and the reader has not answered well since.
    in_trouble: bool,
    /// A card read by the poll that reported [`CardNews::Recovered`], for the next poll.
    held: Option<CardText>,
}

impl<R: CardReader> CardWatch<R> {
    /// Watches `reader`; a card already on it will be reported by the first poll.
    pub fn new(reader: R) -> CardWatch<R> {
        CardWatch { reader, on_reader: None, empty_polls: 0, in_trouble: false, held: None }
    }

    /// Polls the reader once; `None` when there is nothing new. A card that stays on the
    /// reader is reported once; taken away and put back, it is reported again. A different
    /// card is reported at once. Errors do not count as the card being taken away.
    pub fn poll(&mut self) -> Option<CardNews> {
        if let Some(card) = self.held.take() {
            return Some(CardNews::Placed(card));
        }
        match self.reader.read_card() {
            Err(_) if self.in_trouble => None,
            Err(error) => {
                self.in_trouble = true;
                Some(CardNews::Trouble(error))
            }
            Ok(card) => {
                let placed = self.note(card);
                if self.in_trouble {
                    self.in_trouble = false;
                    self.held = placed;
                    return Some(CardNews::Recovered);
                }
                placed.map(CardNews::Placed)
            }
        }
    }

    /// Notes a successful poll's card; returns it if it is newly placed.
    fn note(&mut self, card: Option<CardText>) -> Option<CardText> {
        let Some(card) = card else {
            self.empty_polls = self.empty_polls.saturating_add(1);
            if self.empty_polls >= EMPTY_POLLS_FOR_REMOVAL {
                self.on_reader = None;
            }
            return None;
        };
        self.empty_polls = 0;
        if self.on_reader.as_ref() == Some(&card.id_number) {
            return None;
        }
        self.on_reader = Some(card.id_number.clone());
        Some(card)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;
    use crate::{Date, ModuleError, Sex, ValidUntil};

    /// Answers polls from a script.
    struct Scripted(VecDeque<Result<Option<CardText>, ReaderError>>);

    impl CardReader for Scripted {
        fn read_card(&mut self) -> Result<Option<CardText>, ReaderError> {
            self.0.pop_front().expect("the script ran out")
        }
    }

    fn card(id_number: &str) -> CardText {
        let date = Date { year: 2000, month: 1, day: 1 };
        CardText {
            name: "李四".to_string(),
            sex: Sex::Male,
            nation: "汉".to_string(),
            birth_date: date,
            address: "某地".to_string(),
            id_number: id_number.to_string(),
            issuing_authority: "某公安局".to_string(),
            valid_from: date,
            valid_until: ValidUntil::LongTerm,
        }
    }

    fn news(script: Vec<Result<Option<CardText>, ReaderError>>) -> Vec<Option<CardNews>> {
        let polls = script.len();
        let mut watch = CardWatch::new(Scripted(script.into()));
        (0..polls).map(|_| watch.poll()).collect()
    }

    #[test]
    fn a_card_that_stays_is_reported_once_whether_or_not_the_module_finds_it_after_a_read() {
        let a = || Ok(Some(card("A")));
        // The module finds the card every time.
        assert_eq!(news(vec![a(), a(), a()]), vec![Some(CardNews::Placed(card("A"))), None, None]);
        // The module misses a halted card on every other poll.
        assert_eq!(
            news(vec![a(), Ok(None), a(), Ok(None), a()]),
            [vec![Some(CardNews::Placed(card("A")))], vec![None; 4]].concat()
        );
    }

    #[test]
    fn a_card_taken_away_and_put_back_is_reported_again_and_another_card_at_once() {
        let script = vec![Ok(Some(card("A"))), Ok(None), Ok(None), Ok(Some(card("A"))), Ok(Some(card("B")))];
        assert_eq!(
            news(script),
            vec![
                Some(CardNews::Placed(card("A"))),
                None,
                None,
                Some(CardNews::Placed(card("A"))),
                Some(CardNews::Placed(card("B")))
            ]
        );
    }

    #[test]
    fn trouble_is_reported_once_and_recovery_once_with_a_card_read_meanwhile_kept_for_the_next_poll() {
        let script = vec![
            Err(ReaderError::NotResponding),
            Err(ReaderError::BadChecksum),
            Ok(Some(card("A"))),
            Ok(Some(card("A"))),
            Err(ReaderError::Module(ModuleError::ReadFailed)),
            Ok(Some(card("A"))),
        ];
        let polls = script.len() + 1;
        let mut watch = CardWatch::new(Scripted(script.into()));
        let news: Vec<_> = (0..polls).map(|_| watch.poll()).collect();
        assert_eq!(
            news,
            vec![
                Some(CardNews::Trouble(ReaderError::NotResponding)),
                None,
                Some(CardNews::Recovered),
                Some(CardNews::Placed(card("A"))),
                None,
                Some(CardNews::Trouble(ReaderError::Module(ModuleError::ReadFailed))),
                // The card never left: back to normal without a second placement.
                Some(CardNews::Recovered),
            ]
        );
    }
}
