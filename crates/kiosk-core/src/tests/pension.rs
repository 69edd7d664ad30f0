//! Pension face authentication, alone: the explanation and consent, the ID number, the face
//! guidance said as it comes (voice navigation off: the resident looks at the camera), the
//! submission and its answers, three failed tries, and the picture dropped whenever it must go.

use contract::model::{ApiError, Bilingual, FaceAuth, FaceAuthStatus, Liveness, Movement, StaffCallReason};

use super::*;
use crate::view::Page;

const ID_NUMBER: &str = "11010519491231002X";

fn evidence() -> TurnEvidence {
    TurnEvidence { movement: Movement::Turn, duration_ms: 3400 }
}

const STANDING_TURN: CameraUse = CameraUse::Face(FaceAttempt { movement: Movement::Turn, seated: false });

fn face(kiosk: &mut Kiosk, news: FaceNews) -> Vec<Effect> {
    kiosk.handle(Event::Face(news))
}

/// A kiosk on the camera screen, past its quiet start, the resident's ID number typed.
fn at_the_camera() -> Kiosk {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::PENSION);
    activate(&mut kiosk, action::AGREE);
    type_keys(&mut kiosk, ID_NUMBER);
    activate(&mut kiosk, action::ENTRY_DONE);
    activate(&mut kiosk, action::STANDING);
    let effects = activate(&mut kiosk, action::TURN);
    assert!(effects.contains(&Effect::OpenCamera(STANDING_TURN)), "{effects:?}");
    kiosk.handle(Event::Tick(QUIET_START_SECS));
    kiosk
}

fn submission(effects: &[Effect]) -> (u32, String) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::SubmitFaceAuth { attempt, idempotency_key, .. } => Some((*attempt, idempotency_key.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no submission in {effects:?}"))
}

fn refused(code: &str) -> Result<FaceAuth, ApiFailure> {
    Err(ApiFailure::Refused(ApiError { code: code.into(), message: Bilingual::new("照片无法使用", "No good") }))
}

fn pending_review() -> FaceAuth {
    FaceAuth {
        id: "fa-1".into(),
        kiosk_id: "k1".into(),
        id_number_masked: "110***********002X".into(),
        attempt: 1,
        liveness: Liveness {
            passed: true,
            movement: Movement::Turn,
            turned_left: true,
            turned_right: true,
            duration_ms: 3400,
        },
        status: FaceAuthStatus::PendingReview,
        submitted_at: 0,
        reviewed_at: None,
        reviewed_by: None,
        reject_reason: None,
        result_notice: Bilingual::new("工作人员将在2个工作日内审核，结果会以短信通知。", "Staff will review it."),
    }
}

fn item_ids(kiosk: &Kiosk) -> Vec<String> {
    kiosk.view().items.into_iter().map(|i| i.id).collect()
}

#[test]
fn the_tile_explains_asks_consent_then_checks_the_id_number() {
    let mut kiosk = kiosk();
    let said = spoken(&activate(&mut kiosk, home::PENSION));
    let view = kiosk.view();
    assert_eq!(view.title, "养老金资格认证");
    assert_eq!(item_ids(&kiosk), [action::AGREE]);
    for id in ["pension.intro", "pension.step.id", "pension.step.turn", "pension.step.photo", "pension.privacy"] {
        assert!(said.contains(&id.to_string()), "explained aloud with voice navigation off: {said:?}");
    }

    activate(&mut kiosk, action::AGREE);
    let view = kiosk.view();
    assert_eq!(view.page, Page::Entry);
    type_keys(&mut kiosk, "110105194912310021");
    assert_eq!(kiosk.view().entry.unwrap().shown, "*".repeat(18), "masked");
    let effects = activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("entry.error.id-check-digit"));
    assert!(spoken(&effects).contains(&"entry.error.id-check-digit".to_string()), "the part to check is said");
    assert!(!effects.iter().any(|e| matches!(e, Effect::OpenCamera(_))));

    kiosk.handle(Event::Key(EntryKey::Delete));
    type_keys(&mut kiosk, "X");
    let said = spoken(&activate(&mut kiosk, action::ENTRY_DONE));
    assert_eq!(item_ids(&kiosk), [action::STANDING, action::SEATED]);
    assert!(said.contains(&"pension.posture.title".to_string()), "{said:?}");
    let said = spoken(&activate(&mut kiosk, action::STANDING));
    assert_eq!(item_ids(&kiosk), [action::TURN, action::NOD]);
    assert!(said.contains(&"pension.movement.prompt".to_string()), "no hurry, said: {said:?}");
    let effects = activate(&mut kiosk, action::TURN);
    assert_eq!(kiosk.view().page, Page::Face);
    assert!(effects.contains(&Effect::OpenCamera(STANDING_TURN)));
    let said = spoken(&effects);
    assert!(said.contains(&"face.title".to_string()));
    assert!(said.contains(&"face.camera.above-centre".to_string()), "where the camera is: {said:?}");
    assert_eq!(kiosk.view().prompt, "摄像头在屏幕上方正中。请面对它，自动拍照");
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("face.start"));
}

#[test]
fn the_camera_is_said_where_the_center_put_it() {
    let mut kiosk = kiosk();
    kiosk.set_camera_place(CameraPlace::BelowCentre);
    activate(&mut kiosk, home::PENSION);
    activate(&mut kiosk, action::AGREE);
    type_keys(&mut kiosk, ID_NUMBER);
    for id in [action::ENTRY_DONE, action::STANDING] {
        activate(&mut kiosk, id);
    }
    assert!(spoken(&activate(&mut kiosk, action::TURN)).contains(&"face.camera.below-centre".to_string()));
    assert_eq!(CameraPlace::parse("above-left"), Ok(CameraPlace::AboveLeft));
    assert!(CameraPlace::parse("overhead").is_err());
}

#[test]
fn a_seated_resident_who_cannot_turn_the_head_nods_and_is_never_told_to_stand() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::PENSION);
    activate(&mut kiosk, action::AGREE);
    type_keys(&mut kiosk, ID_NUMBER);
    activate(&mut kiosk, action::ENTRY_DONE);
    activate(&mut kiosk, action::SEATED);
    let effects = activate(&mut kiosk, action::NOD);
    let seated_nod = FaceAttempt { movement: Movement::Nod, seated: true };
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::Face(seated_nod))), "{effects:?}");
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("face.start.seated"));
    kiosk.handle(Event::Tick(QUIET_START_SECS));

    let mut said = Vec::new();
    for hint in [FaceHint::NoFace, FaceHint::MoveUp, FaceHint::TooClose] {
        said.extend(spoken(&face(&mut kiosk, FaceNews::Hint(hint))));
    }
    assert_eq!(said, ["face.hint.seated.no-face", "face.hint.seated.move-up", "face.hint.too-close"]);
    for id in &said {
        let words = crate::prompts::format(id, Language::Zh, &[]);
        assert!(!words.contains("站") && !words.contains("抬高"), "a seated resident is told: {words}");
    }

    assert_eq!(spoken(&face(&mut kiosk, FaceNews::Move(Motion::ChinDown))), ["face.chin-down"]);
    assert_eq!(spoken(&face(&mut kiosk, FaceNews::TakeYourTime(Motion::ChinDown))), ["face.slowly.chin-down"]);
    assert_eq!(spoken(&face(&mut kiosk, FaceNews::Move(Motion::ChinUp))), ["face.chin-up"]);
    let effects = face(&mut kiosk, FaceNews::Captured(TurnEvidence { movement: Movement::Nod, duration_ms: 9000 }));
    let Some(Effect::SubmitFaceAuth { liveness, .. }) =
        effects.iter().find(|e| matches!(e, Effect::SubmitFaceAuth { .. }))
    else {
        panic!("no submission in {effects:?}")
    };
    assert_eq!(liveness.movement, Movement::Nod);
    assert!(!liveness.turned_left && !liveness.turned_right, "a nod is not a turn");
}

#[test]
fn a_slow_resident_gets_more_time_without_losing_a_try_and_may_switch_to_a_nod() {
    let mut kiosk = at_the_camera();
    let effects = face(&mut kiosk, FaceNews::Failed(TurnFailure::NoMovement));
    let view = kiosk.view();
    assert_eq!(view.lines[0].text, "您还可以再试3次。", "not counted");
    assert_eq!(item_ids(&kiosk), [action::RETRY, action::OTHER_MOVEMENT, action::CALL_STAFF, action::HOME]);
    assert_eq!(view.items[0].label, "再给我一些时间");
    assert!(spoken(&effects).contains(&"pension.failed.staff-offer".to_string()), "staff offered in words");

    let effects = activate(&mut kiosk, action::OTHER_MOVEMENT);
    let standing_nod = FaceAttempt { movement: Movement::Nod, seated: false };
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::Face(standing_nod))), "{effects:?}");
    kiosk.handle(Event::Tick(QUIET_START_SECS));
    face(&mut kiosk, FaceNews::Failed(TurnFailure::WrongDirection));
    assert_eq!(kiosk.view().prompt.phrase.0.len(), 1);
    assert_eq!(
        kiosk.view().prompt.phrase,
        Phrase::prompt_with("pension.failed.staff-offer", vec![Phrase::prompt("pension.failed.wrong-direction.nod")])
    );
    assert_eq!(kiosk.view().lines[0].text, "您还可以再试2次。", "a wrong move counts");
    assert_eq!(kiosk.view().items[1].label, "改为左右转头");
}

#[test]
fn a_resident_guided_for_minutes_is_not_wiped_but_staff_are_offered_at_the_limit() {
    let mut kiosk = at_the_camera();
    let mut effects = Vec::new();
    for _ in QUIET_START_SECS..FACE_TIME_LIMIT_SECS - 2 {
        effects.extend(kiosk.handle(Event::Tick(1)));
        effects.extend(face(&mut kiosk, FaceNews::Hint(FaceHint::HoldStill)));
    }
    assert_eq!(kiosk.view().page, Page::Face, "four minutes of guidance are four minutes of use");
    for _ in 0..2 {
        effects = kiosk.handle(Event::Tick(1));
    }
    assert_eq!(kiosk.view().title, "这次没有成功");
    assert!(effects.contains(&Effect::CloseCamera));
    assert!(spoken(&effects).contains(&"pension.failed.took-too-long".to_string()), "{effects:?}");
    assert!(spoken(&effects).contains(&"pension.failed.staff-offer".to_string()));
    assert_eq!(item_ids(&kiosk), [action::RETRY, action::CALL_STAFF, action::HOME]);
    assert_eq!(kiosk.view().lines[0].text, "您还可以再试3次。");
}

#[test]
fn guidance_is_shown_and_said_each_time_it_comes_after_a_quiet_start() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::PENSION);
    activate(&mut kiosk, action::AGREE);
    type_keys(&mut kiosk, ID_NUMBER);
    for id in [action::ENTRY_DONE, action::STANDING, action::TURN] {
        activate(&mut kiosk, id);
    }
    assert!(spoken(&face(&mut kiosk, FaceNews::Hint(FaceHint::MoveLeft))).is_empty(), "the screen's words first");

    kiosk.handle(Event::Tick(QUIET_START_SECS));
    assert_eq!(spoken(&face(&mut kiosk, FaceNews::Hint(FaceHint::MoveLeft))), ["face.hint.move-left"]);
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("face.hint.move-left"));
    assert_eq!(spoken(&face(&mut kiosk, FaceNews::Hint(FaceHint::MoveLeft))), ["face.hint.move-left"], "repeated");
    assert_eq!(spoken(&face(&mut kiosk, FaceNews::Move(Motion::TurnLeft))), ["face.turn-left"]);
    assert_eq!(spoken(&face(&mut kiosk, FaceNews::Move(Motion::TurnRight))), ["face.turn-right"]);
    assert_eq!(spoken(&face(&mut kiosk, FaceNews::FaceFront)), ["face.face-front"]);
    assert_eq!(kiosk.view().lines[0].text, "请转回正面，别动");
}

#[test]
fn an_empty_camera_lets_the_session_expire_but_a_resident_being_guided_keeps_it() {
    let mut kiosk = at_the_camera();
    for _ in 0..40 {
        kiosk.handle(Event::Tick(2));
        face(&mut kiosk, FaceNews::Hint(FaceHint::TooFar));
    }
    assert_eq!(kiosk.view().page, Page::Face, "80 s of guidance is 80 s of use");
    for _ in 0..30 {
        kiosk.handle(Event::Tick(QUIET_START_SECS));
        face(&mut kiosk, FaceNews::Hint(FaceHint::NoFace));
    }
    assert_eq!(kiosk.view().page, Page::Home, "nobody there: wiped");
}

#[test]
fn the_picture_is_submitted_then_dropped_and_the_answer_said() {
    let mut kiosk = at_the_camera();
    let effects = face(&mut kiosk, FaceNews::Captured(evidence()));
    assert!(effects.contains(&Effect::CloseCamera));
    let submitted = effects.iter().find(|e| matches!(e, Effect::SubmitFaceAuth { .. })).unwrap();
    let Effect::SubmitFaceAuth { id_number, attempt, liveness, .. } = submitted else { unreachable!() };
    assert_eq!((id_number.as_str(), *attempt), (ID_NUMBER, 1));
    assert_eq!(
        *liveness,
        Liveness { passed: true, movement: Movement::Turn, turned_left: true, turned_right: true, duration_ms: 3400 }
    );
    assert!(!effects.contains(&Effect::DiscardFacePhoto));
    assert_eq!(kiosk.view().page, Page::Busy);

    let effects = kiosk.handle(Event::FaceAuthSubmitted(Ok(pending_review())));
    assert!(effects.contains(&Effect::DiscardFacePhoto), "dropped right after submission");
    let view = kiosk.view();
    assert_eq!(view.title, "已提交，工作人员将确认");
    assert_eq!(view.prompt, "工作人员将在2个工作日内审核，结果会以短信通知。");
    assert_eq!(view.lines[0].value, "110***********002X");
    let said = spoken(&effects);
    assert!(said.contains(&"pension.submitted.title".to_string()) && said.contains(&view.prompt.shown), "{said:?}");
    activate(&mut kiosk, action::FINISH);
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn an_unreachable_api_keeps_the_picture_for_a_retry_with_the_same_key() {
    let mut kiosk = at_the_camera();
    let (_, key) = submission(&face(&mut kiosk, FaceNews::Captured(evidence())));
    let effects = kiosk.handle(Event::FaceAuthSubmitted(Err(ApiFailure::Unreachable("down".into()))));
    assert!(!effects.contains(&Effect::DiscardFacePhoto));
    assert_eq!(kiosk.view().title, "服务暂时不可用");
    let (attempt, again) = submission(&activate(&mut kiosk, action::RETRY));
    assert_eq!((attempt, again), (1, key));

    kiosk.handle(Event::FaceAuthSubmitted(Err(ApiFailure::Unreachable("down".into()))));
    let effects = kiosk.handle(Event::Bar(BarAction::Home));
    assert!(effects.contains(&Effect::DiscardFacePhoto), "the resident left: the picture goes");
    let effects = kiosk.handle(Event::FaceAuthSubmitted(Ok(pending_review())));
    assert_eq!(kiosk.view().page, Page::Home, "a late answer is dropped: {effects:?}");
}

#[test]
fn the_idle_reset_drops_the_picture() {
    let mut kiosk = at_the_camera();
    face(&mut kiosk, FaceNews::Captured(evidence()));
    kiosk.handle(Event::FaceAuthSubmitted(Err(ApiFailure::Unreachable("down".into()))));
    let mut effects = Vec::new();
    for _ in 0..100 {
        effects.extend(kiosk.handle(Event::Tick(1)));
    }
    assert!(effects.contains(&Effect::DiscardFacePhoto), "{effects:?}");
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn three_failed_tries_send_the_resident_to_staff() {
    let mut kiosk = at_the_camera();
    let effects = face(&mut kiosk, FaceNews::Failed(TurnFailure::WrongDirection));
    assert!(effects.contains(&Effect::CloseCamera));
    let view = kiosk.view();
    assert_eq!(view.title, "这次没有成功");
    assert_eq!(
        view.prompt.phrase,
        Phrase::prompt_with("pension.failed.staff-offer", vec![Phrase::prompt("pension.failed.wrong-direction")])
    );
    assert_eq!(view.prompt, "转头的方向反了。请先向左转头，再向右转头。也可以请工作人员帮忙。");
    assert_eq!(view.lines[0].text, "您还可以再试2次。");
    assert!(spoken(&effects).contains(&"pension.failed.wrong-direction".to_string()));
    assert_eq!(item_ids(&kiosk), [action::RETRY, action::OTHER_MOVEMENT, action::CALL_STAFF, action::HOME]);

    let effects = activate(&mut kiosk, action::RETRY);
    assert!(effects.contains(&Effect::OpenCamera(STANDING_TURN)), "a new attempt: {effects:?}");
    assert_eq!(kiosk.view().lines[1].text, "第2次，最多3次");
    kiosk.handle(Event::Tick(QUIET_START_SECS));
    let (attempt, _) = submission(&face(&mut kiosk, FaceNews::Captured(evidence())));
    assert_eq!(attempt, 2);
    let effects = kiosk.handle(Event::FaceAuthSubmitted(refused("invalid_photo")));
    assert!(effects.contains(&Effect::DiscardFacePhoto));
    assert_eq!(kiosk.view().prompt, "照片无法使用也可以请工作人员帮忙。", "the API's reason");

    activate(&mut kiosk, action::RETRY);
    kiosk.handle(Event::Tick(QUIET_START_SECS));
    face(&mut kiosk, FaceNews::Failed(TurnFailure::TooFast));
    assert_eq!(item_ids(&kiosk), [action::CALL_STAFF, action::HOME], "no fourth try");
    assert_eq!(kiosk.view().lines[0].text, "已经试了3次，请工作人员帮您办理。");
    assert_eq!(activate(&mut kiosk, action::RETRY), [Effect::StopSpeech], "no fourth try");
    let effects = activate(&mut kiosk, action::CALL_STAFF);
    assert!(effects.iter().any(|e| matches!(e, Effect::SendStaffCall { reason: StaffCallReason::NeedHelp, .. })));
}

#[test]
fn the_apis_limit_of_tries_ends_the_tries_too() {
    let mut kiosk = at_the_camera();
    face(&mut kiosk, FaceNews::Captured(evidence()));
    kiosk.handle(Event::FaceAuthSubmitted(refused("too_many_attempts")));
    assert_eq!(item_ids(&kiosk), [action::CALL_STAFF, action::HOME]);
}

#[test]
fn no_camera_sends_the_resident_to_staff() {
    let mut kiosk = at_the_camera();
    let effects = kiosk.handle(Event::CameraFailed(CameraProblem::NotConnected));
    assert_eq!(kiosk.view().title, "摄像头无法使用");
    assert!(spoken(&effects).contains(&"pension.no-camera.prompt".to_string()));
    assert_eq!(item_ids(&kiosk), [action::CALL_STAFF, action::HOME]);
}

#[test]
fn news_for_a_screen_already_left_is_ignored() {
    let mut kiosk = at_the_camera();
    kiosk.handle(Event::Bar(BarAction::Back));
    assert_eq!(kiosk.view().page, Page::List);
    assert!(face(&mut kiosk, FaceNews::Captured(evidence())).is_empty());
    assert_eq!(kiosk.view().page, Page::List);
}

#[test]
fn a_picture_taken_while_the_idle_warning_shows_is_still_submitted() {
    let mut kiosk = at_the_camera();
    kiosk.handle(Event::Bar(BarAction::Voice));
    for _ in 0..IdlePolicy::default().timeout_secs {
        kiosk.handle(Event::Tick(1));
    }
    assert!(kiosk.view().idle_warning.is_some());
    let (attempt, _) = submission(&face(&mut kiosk, FaceNews::Captured(evidence())));
    assert_eq!(attempt, 1);
}
