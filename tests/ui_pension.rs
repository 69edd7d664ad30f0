//! Pension face authentication through the real window, against the real reference server,
//! with cameras that play images made from a real photograph (the astronaut scene of the face
//! crate's tests), and the real face detector and guidance behind them.
//!
//! - A resident who moves only as the kiosk tells them (each move an image sequence queued
//!   on the camera once its instruction shows) goes from the home screen to "submitted";
//!   staff approve the photo through the API, which then says how it went.
//! - The kiosk's own image-sequence camera (`--camera-file` with a folder) plays a scripted
//!   visit; its photo is rejected by staff, with the reason in the answer's notice.
//! - A turn the wrong way fails the try, which is offered again.

mod common;
#[path = "../crates/face-guide/tests/common/scene.rs"]
mod scene;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::RgbImage;
use slint::ComponentHandle;

use kiosk::camera::{CameraProblem, FileCamera, FrameSource};
use kiosk::ui::{AppWindow, KioskUi, KioskView, PageKind};
use kiosk_core::speech::Phrase;
use kiosk_core::IdlePolicy;
use service_api::Role;

use common::{press, start_kiosk_with_camera, wait_until, Said, TestApi};

const STAFF: &str = "staff-token";
const KIOSK: &str = "secret";
const FRAME_TIME: Duration = Duration::from_micros(66_667);

/// Where the resident's face is: its height and centre in the frame, and its turn to the
/// resident's left, in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pose {
    height: f32,
    x: f32,
    y: f32,
    turn: f32,
}

const NOBODY: Pose = Pose { height: 0.0, x: 0.0, y: 0.0, turn: 0.0 };

impl Pose {
    fn frame(self) -> RgbImage {
        if self.height == 0.0 {
            return RgbImage::from_pixel(640, 480, image::Rgb([170, 170, 165]));
        }
        scene::turned_frame(self.height, self.x, self.y, self.turn)
    }
}

/// A resident in front of the camera. Each move is an image sequence queued on the camera,
/// one frame every 1/15 s; once it has played, the last frame holds (a person stays where
/// they stopped).
#[derive(Clone)]
struct Resident {
    frames: Arc<Mutex<VecDeque<Arc<RgbImage>>>>,
    pose: Arc<Mutex<Pose>>,
    /// A child pulled the camera's cable: it fails from now on (a fault injected).
    unplugged: Arc<AtomicBool>,
}

impl Resident {
    fn new() -> Resident {
        let resident =
            Resident { frames: Arc::default(), pose: Arc::new(Mutex::new(NOBODY)), unplugged: Arc::default() };
        resident.frames.lock().unwrap().push_back(Arc::new(NOBODY.frame()));
        resident
    }

    /// Moves to `to` over `seconds`, at 15 frames a second.
    fn move_to(&self, to: Pose, seconds: f32) {
        let mut pose = self.pose.lock().unwrap();
        let from = if pose.height == 0.0 { to } else { *pose };
        let steps = ((seconds * 15.0).round() as usize).max(1);
        let between = |a: f32, b: f32, i: usize| a + (b - a) * i as f32 / steps as f32;
        let frames = (1..=steps).map(|i| {
            let at = Pose {
                height: between(from.height, to.height, i),
                x: between(from.x, to.x, i),
                y: between(from.y, to.y, i),
                turn: between(from.turn, to.turn, i),
            };
            Arc::new(at.frame())
        });
        self.frames.lock().unwrap().extend(frames.collect::<Vec<_>>());
        *pose = to;
    }

    fn camera(&self) -> Box<dyn FrameSource> {
        Box::new(ResidentCamera { resident: self.clone(), next_at: Instant::now() })
    }

    /// Does what `instruction` (a prompt id) says; a well-placed face is 40% of the frame's
    /// height, centred a little above the middle.
    fn follow(&self, instruction: &str) {
        let now = *self.pose.lock().unwrap();
        let placed = Pose { height: 0.4, x: 0.5, y: 0.45, turn: 0.0 };
        match instruction {
            // Steps in, small and off to the image's left.
            "face.start" | "face.hint.no-face" => self.move_to(Pose { height: 0.18, x: 0.3, ..placed }, 0.1),
            "face.hint.too-far" => self.move_to(Pose { height: 0.4, ..now }, 1.0),
            "face.hint.too-close" => self.move_to(Pose { height: 0.4, ..now }, 1.0),
            "face.hint.move-left" | "face.hint.move-right" => self.move_to(Pose { x: 0.5, ..now }, 1.0),
            "face.hint.move-up" | "face.hint.move-down" => self.move_to(Pose { y: 0.45, ..now }, 1.0),
            "face.hint.hold-still" => {}
            // Slowly, about 30° a second.
            "face.turn-left" => self.move_to(Pose { turn: 40.0, ..now }, 1.4),
            "face.turn-right" => self.move_to(Pose { turn: -40.0, ..now }, 2.7),
            "face.face-front" => self.move_to(Pose { turn: 0.0, ..now }, 1.4),
            other => panic!("the resident does not know what to do with {other:?}"),
        }
    }
}

struct ResidentCamera {
    resident: Resident,
    next_at: Instant,
}

impl FrameSource for ResidentCamera {
    fn next_frame(&mut self) -> Result<RgbImage, CameraProblem> {
        std::thread::sleep(self.next_at.saturating_duration_since(Instant::now()));
        self.next_at = self.next_at.max(Instant::now()) + FRAME_TIME;
        if self.resident.unplugged.load(Ordering::SeqCst) {
            return Err(CameraProblem::Stopped);
        }
        let mut frames = self.resident.frames.lock().unwrap();
        if frames.len() > 1 {
            frames.pop_front();
        }
        Ok(frames.front().unwrap().as_ref().clone())
    }
}

/// Which camera the kiosk opens next: the resident, or a folder of images.
#[derive(Clone, Default)]
struct CameraChoice(Arc<Mutex<Option<Camera>>>);

/// The simulated resident, and a folder of images to play instead of them.
type Camera = (Resident, Option<PathBuf>);

const INSTRUCTIONS: [&str; 14] = [
    "face.start",
    "face.hint.no-face",
    "face.hint.too-far",
    "face.hint.too-close",
    "face.hint.move-left",
    "face.hint.move-right",
    "face.hint.move-up",
    "face.hint.move-down",
    "face.hint.too-dark",
    "face.hint.backlit",
    "face.hint.hold-still",
    "face.turn-left",
    "face.turn-right",
    "face.face-front",
];

/// The camera screen's instruction, as a prompt id.
fn instruction(ui: &KioskUi) -> Option<&'static str> {
    let view = ui.view();
    let shown = &view.lines.first()?.text.phrase;
    INSTRUCTIONS.into_iter().find(|id| *shown == Phrase::prompt(*id))
}

/// One test: the testing backend is set up once per process, on one thread.
#[test]
fn pension_face_authentication() {
    common::init_headless_platform();
    let choice = CameraChoice::default();
    let chosen = choice.clone();
    let (api, ui, said) = start_kiosk_with_camera(IdlePolicy::default(), move |_| {
        let chosen = chosen.clone();
        Arc::new(move || {
            let (resident, folder) = chosen.0.lock().unwrap().clone().expect("a camera chosen");
            Ok(match folder {
                Some(folder) => Box::new(FileCamera::open(&folder)?.with_frame_rate(15)) as Box<dyn FrameSource>,
                None => resident.camera(),
            })
        })
    });
    api.add_token(Role::Staff, "李明", STAFF);
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.start();
    ui.window.show().unwrap();
    wait_until(&ui.window, "the catalog", |w| w.global::<KioskView>().get_page() == PageKind::Home);

    a_resident_guided_only_by_the_hints_is_submitted_and_approved(&api, &ui, &said, &choice);
    a_scripted_image_sequence_is_submitted_and_rejected(&api, &ui, &choice);
    a_turn_the_wrong_way_fails_the_try_and_another_is_offered(&ui, &choice);
    a_seated_resident_low_in_the_picture_is_asked_to_sit_up_not_to_raise_the_head(&ui, &choice);
    a_camera_unplugged_mid_check_sends_the_resident_to_staff_and_tells_staff(&ui, &choice);
}

/// From the home screen to the camera screen, with this ID number.
fn start(ui: &KioskUi, id_number: &str) {
    start_as(ui, id_number, "站着");
}

/// From the home screen to the camera screen, with this ID number, standing or seated
/// (`posture` is the button's label), for a head turn.
fn start_as(ui: &KioskUi, id_number: &str, posture: &str) {
    let window = &ui.window;
    press(window, "养老金资格认证");
    wait_until(window, "the explanation", |w| w.global::<KioskView>().get_page_title() == "养老金资格认证");
    press(window, "同意，开始");
    wait_until(window, "the ID number", |w| w.global::<KioskView>().get_page() == PageKind::Entry);
    for key in id_number.chars() {
        press(window, &key.to_string());
    }
    press(window, "确定");
    posture_and_turning(window, posture);
    wait_until(window, "the camera screen", |w| w.global::<KioskView>().get_page() == PageKind::Face);
}

/// The two questions before the camera: standing or seated, and a head turn.
fn posture_and_turning(window: &AppWindow, posture: &str) {
    wait_until(window, "standing or seated", |w| w.global::<KioskView>().get_page_title().contains("站着还是坐着"));
    press(window, posture);
    wait_until(window, "which movement", |w| w.global::<KioskView>().get_page_title().contains("哪个动作"));
    press(window, "向左、再向右转头");
}

fn a_resident_guided_only_by_the_hints_is_submitted_and_approved(
    api: &TestApi,
    ui: &KioskUi,
    said: &Said,
    choice: &CameraChoice,
) {
    let window = &ui.window;
    let resident = Resident::new();
    *choice.0.lock().unwrap() = Some((resident.clone(), None));
    // A wrong check digit first: the part to check is named.
    press(window, "养老金资格认证");
    wait_until(window, "the explanation", |w| w.global::<KioskView>().get_page_title() == "养老金资格认证");
    common::screenshot(window, "pension-intro");
    start_from_the_explanation_with_a_wrong_digit(ui);
    wait_until(window, "the camera screen", |w| w.global::<KioskView>().get_page() == PageKind::Face);

    // The resident does what the screen says, each time it says something new (or again).
    let mut followed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut heard = said.count();
    let mut last = None;
    while window.global::<KioskView>().get_page() == PageKind::Face {
        assert!(Instant::now() < deadline, "no picture after following {followed:?}");
        let now = instruction(ui);
        if let Some(step) = now.filter(|_| now != last || said.count() > heard) {
            if step == "face.turn-left" {
                common::screenshot(window, "pension-face-turn");
            }
            resident.follow(step);
            followed.push(step);
            last = now;
            heard = said.count();
        }
        let (said_then, listening) = (said.count(), said.clone());
        wait_until(window, "the next instruction", move |w| {
            w.global::<KioskView>().get_page() != PageKind::Face || listening.count() > said_then
        });
    }
    let turns: Vec<_> = followed.iter().filter(|s| s.starts_with("face.turn") || **s == "face.face-front").collect();
    assert_eq!(turns, [&"face.turn-left", &"face.turn-right", &"face.face-front"], "followed {followed:?}");
    assert!(followed.iter().any(|s| s.starts_with("face.hint.")), "guided into place: {followed:?}");

    wait_until(window, "submitted", |w| w.global::<KioskView>().get_page_title() == "已提交，工作人员将确认");
    assert!(
        window.global::<KioskView>().get_prompt().contains("2个工作日"),
        "how the result comes: {}",
        window.global::<KioskView>().get_prompt()
    );
    common::screenshot(window, "pension-submitted");
    let spoken = said.last_spoken();
    assert!(spoken.contains(&"已提交，工作人员将确认".to_string()), "{spoken:?}");

    // Staff find it waiting for review, with a photo of the resident's face.
    let waiting = api.get(STAFF, "/v1/face-auth?status=pending_review");
    let submitted = &waiting.as_array().unwrap()[0];
    assert_eq!(submitted["id_number_masked"], "110***********002X");
    assert_eq!(submitted["attempt"], 1);
    assert_eq!(submitted["liveness"]["turned_left"], true);
    let id = submitted["id"].as_str().unwrap();
    let photo = photo(api, id);
    assert_eq!((photo.width(), photo.height()), (640, 480));
    let detector = face_guide::FaceDetector::load().unwrap();
    let face = detector.detect(&photo).first().copied().expect("a face in the photo");
    assert!(face.height > 0.3 && (face.center.x - 0.5).abs() < 0.12, "well placed: {face:?}");

    api.post(STAFF, &format!("/v1/face-auth/{id}/approve"));
    let answer = api.get(KIOSK, &format!("/v1/face-auth/{id}"));
    assert_eq!(answer["status"], "approved");
    assert!(answer["result_notice"]["zh"].as_str().unwrap().contains("已通过"));

    press(window, "完成，返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

/// Types a wrong check digit, hears which part to check, then types the right one.
fn start_from_the_explanation_with_a_wrong_digit(ui: &KioskUi) {
    let window = &ui.window;
    press(window, "同意，开始");
    wait_until(window, "the ID number", |w| w.global::<KioskView>().get_page() == PageKind::Entry);
    for key in "110105194912310021".chars() {
        press(window, &key.to_string());
    }
    press(window, "确定");
    wait_until(window, "the check digit's error", |w| w.global::<KioskView>().get_error().contains("最后一位"));
    press(window, "删除");
    press(window, "X");
    press(window, "确定");
    posture_and_turning(window, "站着");
}

/// The submission's photo, as staff see it.
fn photo(api: &TestApi, id: &str) -> RgbImage {
    let mut response = ureq::get(format!("{}/v1/face-auth/{id}/photo", api.server.base_url))
        .header("Authorization", &format!("Bearer {STAFF}"))
        .call()
        .unwrap();
    let bytes = response.body_mut().read_to_vec().unwrap();
    assert_eq!(&bytes[..3], [0xFF, 0xD8, 0xFF], "a JPEG");
    image::load_from_memory(&bytes).unwrap().to_rgb8()
}

/// A visit as a folder of frames, 15 a second, for the kiosk's own image-sequence camera: an
/// empty hall, a resident stepping in small and off to one side, coming into place, holding
/// still, turning left and right slowly about when the kiosk asks, then facing the camera
/// until the picture is taken.
fn scripted_visit(folder: &std::path::Path) {
    std::fs::create_dir_all(folder).unwrap();
    let placed = Pose { height: 0.4, x: 0.5, y: 0.45, turn: 0.0 };
    let mut poses = vec![NOBODY; 15];
    let off = Pose { height: 0.2, x: 0.3, ..placed };
    let path = |from: Pose, to: Pose, frames: usize| {
        (1..=frames).map(move |i| {
            let f = i as f32 / frames as f32;
            let at = |a: f32, b: f32| a + (b - a) * f;
            Pose {
                height: at(from.height, to.height),
                x: at(from.x, to.x),
                y: at(from.y, to.y),
                turn: at(from.turn, to.turn),
            }
        })
    };
    poses.extend([off; 15]);
    poses.extend(path(off, placed, 20));
    poses.extend([placed; 25]);
    poses.extend(path(placed, Pose { turn: 40.0, ..placed }, 21));
    poses.extend([Pose { turn: 40.0, ..placed }; 8]);
    poses.extend(path(Pose { turn: 40.0, ..placed }, Pose { turn: -40.0, ..placed }, 40));
    poses.extend([Pose { turn: -40.0, ..placed }; 8]);
    poses.extend(path(Pose { turn: -40.0, ..placed }, placed, 21));
    poses.extend([placed; 45]);
    for (i, pose) in poses.into_iter().enumerate() {
        pose.frame().save(folder.join(format!("{i:04}.png"))).unwrap();
    }
}

fn a_scripted_image_sequence_is_submitted_and_rejected(api: &TestApi, ui: &KioskUi, choice: &CameraChoice) {
    let window = &ui.window;
    let folder = api.dir.path().join("visit");
    scripted_visit(&folder);
    *choice.0.lock().unwrap() = Some((Resident::new(), Some(folder)));
    start(ui, "11010519491231002X");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while window.global::<KioskView>().get_page() == PageKind::Face && Instant::now() < deadline {
        if let Some(step) = instruction(ui).filter(|s| seen.last() != Some(s)) {
            seen.push(step);
        }
        wait_until(window, "a moment", |_| true);
    }
    wait_until(window, "submitted", |w| w.global::<KioskView>().get_page_title() == "已提交，工作人员将确认");
    assert!(seen.contains(&"face.turn-right"), "{seen:?}");

    let waiting = api.get(STAFF, "/v1/face-auth?status=pending_review");
    let id = waiting[0]["id"].as_str().unwrap().to_string();
    api.post_json(STAFF, &format!("/v1/face-auth/{id}/reject"), serde_json::json!({ "reason": "照片模糊" }));
    let answer = api.get(KIOSK, &format!("/v1/face-auth/{id}"));
    assert_eq!(answer["status"], "rejected");
    assert!(answer["result_notice"]["zh"].as_str().unwrap().contains("照片模糊"), "{answer}");
    assert_eq!(answer["reviewed_by"], "李明");
    press(window, "完成，返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

fn a_turn_the_wrong_way_fails_the_try_and_another_is_offered(ui: &KioskUi, choice: &CameraChoice) {
    let window = &ui.window;
    let resident = in_front_of_the_camera(choice, Pose { height: 0.4, x: 0.5, y: 0.45, turn: 0.0 });
    start(ui, "11010519491231002X");
    until_view(ui, "no turn asked", |ui| {
        assert_eq!(ui.window.global::<KioskView>().get_page(), PageKind::Face, "no turn asked");
        instruction(ui) == Some("face.turn-left")
    });
    resident.move_to(Pose { height: 0.4, x: 0.5, y: 0.45, turn: -40.0 }, 1.4);
    wait_until(window, "the failed try", |w| w.global::<KioskView>().get_page_title() == "这次没有成功");
    assert_eq!(
        window.global::<KioskView>().get_prompt(),
        "转头的方向反了。请先向左转头，再向右转头。也可以请工作人员帮忙。"
    );
    common::screenshot(window, "pension-failed-try");
    press(window, "再试一次");
    wait_until(window, "the camera again", |w| w.global::<KioskView>().get_page() == PageKind::Face);
    assert!(ui.view().lines.iter().any(|l| l.text == "第2次，最多3次"));
    press(window, "取消认证");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

fn a_seated_resident_low_in_the_picture_is_asked_to_sit_up_not_to_raise_the_head(ui: &KioskUi, choice: &CameraChoice) {
    let window = &ui.window;
    // In a wheelchair, under a camera set for standing residents: the face is low in the picture.
    in_front_of_the_camera(choice, Pose { height: 0.35, x: 0.5, y: 0.85, turn: 0.0 });
    start_as(ui, "11010519491231002X", "坐着（轮椅或椅子）");
    let seated_hint = Phrase::prompt("face.hint.seated.move-up");
    until_view(ui, "no seated hint", |ui| ui.view().lines.first().is_some_and(|l| l.text.phrase == seated_hint));
    assert_eq!(ui.view().lines[0].text, "请坐直或后退一点", "never 请把头抬高一点");
    assert!(window.global::<KioskView>().get_face_target_y() > 0.5, "the oval is lower for a seated resident");
    common::screenshot(window, "pension-face-seated");
    press(window, "取消认证");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

fn a_camera_unplugged_mid_check_sends_the_resident_to_staff_and_tells_staff(ui: &KioskUi, choice: &CameraChoice) {
    let window = &ui.window;
    let resident = in_front_of_the_camera(choice, Pose { height: 0.4, x: 0.5, y: 0.45, turn: 0.0 });
    start(ui, "11010519491231002X");
    until_view(ui, "no instruction on the camera screen", |ui| instruction(ui).is_some());
    assert_eq!(window.global::<KioskView>().get_staff_notice(), "", "the camera works");
    resident.unplugged.store(true, Ordering::SeqCst);
    wait_until(window, "the camera's failure", |w| w.global::<KioskView>().get_page_title() == "摄像头无法使用");
    let view = ui.view();
    assert!(view.prompt.shown.contains("工作人员"), "staff are offered: {}", view.prompt.shown);
    wait_until(window, "the staff notice", |w| w.global::<KioskView>().get_staff_notice().contains("摄像头无法使用"));
    press(window, "首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

/// A new resident, the next camera the kiosk opens, already at `pose`.
fn in_front_of_the_camera(choice: &CameraChoice, pose: Pose) -> Resident {
    let resident = Resident::new();
    *choice.0.lock().unwrap() = Some((resident.clone(), None));
    resident.move_to(pose, 0.1);
    resident
}

/// Lets the kiosk run until `check` holds, for at most 30 s.
fn until_view(ui: &KioskUi, what: &str, check: impl Fn(&KioskUi) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check(ui) {
        assert!(Instant::now() < deadline, "{what}: {:?}", ui.view().lines.first());
        wait_until(&ui.window, "a moment", |_| true);
    }
}

/// For trying the kiosk by hand without a webcam: writes the scripted visit to the folder
/// `$KIOSK_PENSION_VISIT`, for `scripts/run-kiosk --camera-file` (run with `--ignored`).
#[test]
#[ignore]
fn write_the_scripted_visit() {
    let folder = std::env::var_os("KIOSK_PENSION_VISIT").expect("KIOSK_PENSION_VISIT: where to write the frames");
    scripted_visit(std::path::Path::new(&folder));
}
