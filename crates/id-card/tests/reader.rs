//! `SerialReader` against the simulated module on a pseudo-terminal.

use id_card::frame::Command;
use id_card::{CardReader, Date, ModuleError, ReaderError, SerialReader, Sex, ValidUntil};
use id_card_simulator::{expired_card, sample_card, Simulator};

fn start() -> (Simulator, SerialReader) {
    let simulator = Simulator::start().expect("a pseudo-terminal");
    let reader = SerialReader::open(simulator.path(), 115_200).expect("the simulator's port opens");
    (simulator, reader)
}

#[test]
fn a_card_on_the_reader_is_read_with_every_field_right() {
    let (simulator, mut reader) = start();
    simulator.place(sample_card());
    let card = reader.read_card().unwrap().expect("a card");
    assert_eq!(card.name, "王秀英");
    assert_eq!(card.sex, Sex::Female);
    assert_eq!(card.nation, "汉");
    assert_eq!(card.birth_date, Date { year: 1949, month: 12, day: 31 });
    assert_eq!(card.address, "北京市朝阳区示例路十二号院三号楼四单元五〇六号");
    assert_eq!(card.id_number, "11010519491231002X");
    assert_eq!(card.issuing_authority, "北京市公安局朝阳分局");
    assert_eq!(card.valid_from, Date { year: 2016, month: 3, day: 1 });
    assert_eq!(card.valid_until, ValidUntil::LongTerm);
    assert_eq!(card, sample_card());
}

#[test]
fn no_card_gives_none() {
    let (_simulator, mut reader) = start();
    assert_eq!(reader.read_card(), Ok(None));
}

#[test]
fn an_expired_card_is_still_read() {
    let (simulator, mut reader) = start();
    simulator.place(expired_card());
    let card = reader.read_card().unwrap().expect("a card");
    assert_eq!(card.valid_until, ValidUntil::Date(Date { year: 2020, month: 3, day: 1 }));
    assert_eq!(card, expired_card());
}

#[test]
fn a_corrupt_frame_is_an_error_and_the_next_poll_reads_fine() {
    let (simulator, mut reader) = start();
    simulator.place(sample_card());
    simulator.corrupt_next();
    assert_eq!(reader.read_card(), Err(ReaderError::BadChecksum));
    assert_eq!(reader.read_card(), Ok(Some(sample_card())));
}

#[test]
fn garbage_before_a_frame_is_skipped() {
    let (simulator, mut reader) = start();
    simulator.place(sample_card());
    simulator.garbage_next();
    assert_eq!(reader.read_card(), Ok(Some(sample_card())));
    simulator.remove();
    simulator.garbage_next();
    assert_eq!(reader.read_card(), Ok(None));
}

#[test]
fn each_status_word_maps_to_its_error() {
    let (simulator, mut reader) = start();
    simulator.place(sample_card());
    let expected = [
        (0x10, ModuleError::CommandChecksum),
        (0x11, ModuleError::CommandLength),
        (0x21, ModuleError::UnknownCommand),
        (0x23, ModuleError::Unauthorised),
        (0x24, ModuleError::Unrecognised),
        (0x31, ModuleError::CardRejectedModule),
        (0x32, ModuleError::ModuleRejectedCard),
        (0x33, ModuleError::VerificationFailed),
        (0x40, ModuleError::UnknownCardType),
        (0x41, ModuleError::ReadFailed),
        (0x47, ModuleError::RandomNumberFailed),
        (0x60, ModuleError::SelfTestFailed),
        (0x66, ModuleError::NotAuthorised),
        (0x80, ModuleError::NoCard),
        (0x81, ModuleError::SelectFailed),
        (0x91, ModuleError::NoContent),
        (0x9F, ModuleError::Other(0x9F)),
        (0x55, ModuleError::Other(0x55)),
    ];
    for (status, error) in expected {
        simulator.set_status(Command::ReadBasicInfo, Some(status));
        assert_eq!(reader.read_card(), Err(ReaderError::Module(error)), "status {status:#04X}");
    }
    simulator.set_status(Command::ReadBasicInfo, None);

    simulator.set_status(Command::SelectCard, Some(0x81));
    assert_eq!(reader.read_card(), Err(ReaderError::Module(ModuleError::SelectFailed)));
    simulator.set_status(Command::SelectCard, None);

    // On a find, 0x80 is no card, not an error; other failures are errors.
    simulator.set_status(Command::FindCard, Some(0x80));
    assert_eq!(reader.read_card(), Ok(None));
    simulator.set_status(Command::FindCard, Some(0x60));
    assert_eq!(reader.read_card(), Err(ReaderError::Module(ModuleError::SelfTestFailed)));
    simulator.set_status(Command::FindCard, None);

    assert_eq!(reader.read_card(), Ok(Some(sample_card())));
}

#[test]
fn the_status_check_answers_when_the_module_works() {
    let (simulator, mut reader) = start();
    assert_eq!(reader.check_status(), Ok(()));
    simulator.set_status(Command::SamStatus, Some(0x66));
    assert_eq!(reader.check_status(), Err(ReaderError::Module(ModuleError::NotAuthorised)));
}

#[test]
fn a_port_that_does_not_exist_is_a_port_error() {
    let error = SerialReader::open("/dev/no-such-id-card-reader", 115_200).err().expect("an error");
    assert!(matches!(&error, ReaderError::Port(message) if message.contains("/dev/no-such-id-card-reader")), "{error}");
}
