//! `CardWatch` over `SerialReader` against the simulated module.

use std::time::{Duration, Instant};

use id_card::{CardNews, CardWatch, ReaderError, SerialReader};
use id_card_simulator::{expired_card, sample_card, Simulator};

fn start() -> (Simulator, CardWatch<SerialReader>) {
    let simulator = Simulator::start().expect("a pseudo-terminal");
    let reader = SerialReader::open(simulator.path(), 115_200).expect("the simulator's port opens");
    (simulator, CardWatch::new(reader))
}

fn polls(watch: &mut CardWatch<SerialReader>, count: usize) -> Vec<Option<CardNews>> {
    (0..count).map(|_| watch.poll()).collect()
}

#[test]
fn the_same_card_left_on_the_reader_is_reported_once_and_again_after_it_is_taken_off_and_put_back() {
    for halts in [true, false] {
        let (simulator, mut watch) = start();
        simulator.set_halt_after_read(halts);
        assert_eq!(watch.poll(), None);
        simulator.place(sample_card());
        assert_eq!(watch.poll(), Some(CardNews::Placed(sample_card())), "halts: {halts}");
        assert_eq!(polls(&mut watch, 5), vec![None; 5], "halts: {halts}");

        simulator.remove();
        assert_eq!(polls(&mut watch, 2), vec![None; 2]);
        simulator.place(sample_card());
        assert_eq!(watch.poll(), Some(CardNews::Placed(sample_card())), "halts: {halts}");

        // Another card is news at once.
        simulator.place(expired_card());
        assert_eq!(watch.poll(), Some(CardNews::Placed(expired_card())), "halts: {halts}");
    }
}

#[test]
fn a_reader_that_stops_answering_gives_not_responding_within_a_second_and_a_half_and_recovered_when_it_comes_back() {
    let (simulator, mut watch) = start();
    assert_eq!(watch.poll(), None);
    simulator.go_silent();
    let asked = Instant::now();
    assert_eq!(watch.poll(), Some(CardNews::Trouble(ReaderError::NotResponding)));
    assert!(asked.elapsed() < Duration::from_millis(1500), "took {:?}", asked.elapsed());

    simulator.wake();
    simulator.place(sample_card());
    assert_eq!(watch.poll(), Some(CardNews::Recovered));
    assert_eq!(watch.poll(), Some(CardNews::Placed(sample_card())));
    assert_eq!(watch.poll(), None);
}

#[test]
fn a_corrupt_frame_is_trouble_once_and_the_card_is_still_reported() {
    let (simulator, mut watch) = start();
    simulator.place(sample_card());
    simulator.corrupt_next();
    assert_eq!(watch.poll(), Some(CardNews::Trouble(ReaderError::BadChecksum)));
    assert_eq!(watch.poll(), Some(CardNews::Recovered));
    assert_eq!(watch.poll(), Some(CardNews::Placed(sample_card())));
}
