//! Interpreter calls and staff calls end to end: a kiosk calls, interpreters go on duty and
//! accept, staff acknowledge; every honest "unavailable", every race and every role.

mod common;

use std::collections::HashSet;

use common::{parsed, refused, Client, Reply, TestServer};
use contract::model::{
    CallEndReason, Interpreter, InterpreterCall, InterpreterCallStatus, StaffCall, StaffCallReason, StaffCallStatus,
    UnavailableReason,
};
use serde_json::json;
use service_api::{Role, DEFAULT_VIDEO_BASE_URL, GONE_AFTER_MINUTES, MAX_QUEUE_MINUTES};

use InterpreterCallStatus::*;

fn call_interpreter(kiosk: &Client) -> InterpreterCall {
    parsed(kiosk.post("/v1/interpreter-calls", None, None), 201)
}

fn act(client: &Client, id: &str, action: &str) -> Reply {
    client.post(&format!("/v1/interpreter-calls/{id}/{action}"), None, None)
}

fn moved(client: &Client, id: &str, action: &str) -> InterpreterCall {
    parsed(act(client, id, action), 200)
}

fn poll(client: &Client, id: &str) -> InterpreterCall {
    parsed(client.get(&format!("/v1/interpreter-calls/{id}")), 200)
}

fn on_duty(interpreter: &Client) -> Interpreter {
    let me: Interpreter = parsed(interpreter.post("/v1/interpreters/me/on-duty", None, None), 200);
    assert!(me.on_duty);
    me
}

fn queue(interpreter: &Client) -> Vec<InterpreterCall> {
    parsed(interpreter.get("/v1/interpreter-calls?status=queued"), 200)
}

/// Another kiosk's client.
fn kiosk(t: &TestServer, name: &str) -> Client {
    let token = format!("{name}-token");
    t.add_token(Role::Kiosk, name, &token);
    t.client(Some(&token))
}

/// Another interpreter's client (the name may be Chinese, the token is ASCII).
fn interpreter(t: &TestServer, name: &str) -> Client {
    let token = format!("{}-token", hex::encode(name));
    t.add_token(Role::Interpreter, name, &token);
    t.client(Some(&token))
}

fn assert_room(url: &str) {
    let room = url.strip_prefix(&format!("{DEFAULT_VIDEO_BASE_URL}/csc-")).unwrap_or_else(|| panic!("{url}"));
    assert_eq!(room.len(), 32, "{url}");
    assert!(room.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{url}");
}

#[test]
fn a_call_goes_queued_assigned_in_call_ended() {
    TestServer::on_each_database(|t| {
        let me = on_duty(&t.interpreter);
        assert_eq!((me.name.as_str(), me.current_call), ("王丽", None));

        let call = call_interpreter(&t.kiosk);
        assert_eq!((call.status, call.kiosk_id.as_str()), (Queued, "kiosk-1"));
        // One free interpreter: next, about a minute.
        assert_eq!((call.position, call.expected_wait_minutes), (Some(1), Some(1)));
        assert_eq!((&call.join_url, &call.interpreter), (&None, &None));
        assert_eq!(queue(&t.interpreter), std::slice::from_ref(&call));

        let accepted = moved(&t.interpreter, &call.id, "accept");
        assert_eq!(accepted.status, Assigned);
        assert_eq!(accepted.interpreter.as_deref(), Some("王丽"));
        assert_eq!((accepted.position, accepted.expected_wait_minutes), (None, None));
        let url = accepted.join_url.clone().unwrap();
        assert_room(&url);
        assert!(queue(&t.interpreter).is_empty());
        // Accepting again answers the same call; the kiosk sees the same room.
        assert_eq!(moved(&t.interpreter, &call.id, "accept"), accepted);
        assert_eq!(poll(&t.kiosk, &call.id), accepted);
        let mine: Vec<InterpreterCall> = parsed(t.interpreter.get("/v1/interpreter-calls?status=assigned"), 200);
        assert_eq!(mine, std::slice::from_ref(&accepted));
        // Not off duty with a call on: end it first.
        refused(&t.interpreter.post("/v1/interpreters/me/off-duty", None, None), 409, "interpreter_busy");

        let started = moved(&t.kiosk, &call.id, "started");
        assert_eq!((started.status, started.join_url.as_deref()), (InCall, Some(url.as_str())));
        assert!(started.started_at.is_some());
        refused(&act(&t.kiosk, &call.id, "cancel"), 409, "invalid_transition");

        // The interpreter hangs up; the kiosk's own end (its window closed) answers the same.
        let ended = moved(&t.interpreter, &call.id, "end");
        assert_eq!(ended.status, Ended);
        assert!(ended.ended_at.is_some());
        assert_eq!(ended.join_url, None, "the room is not handed out after the call");
        assert_eq!(moved(&t.kiosk, &call.id, "end"), ended);
        assert_eq!(poll(&t.kiosk, &call.id), ended);
        refused(&act(&t.kiosk, &call.id, "started"), 409, "invalid_transition");

        let me: Interpreter = parsed(t.interpreter.post("/v1/interpreters/me/off-duty", None, None), 200);
        assert_eq!((me.on_duty, me.current_call), (false, None));
    });
}

#[test]
fn a_queued_call_can_be_cancelled() {
    TestServer::on_each_database(|t| {
        on_duty(&t.interpreter);
        let call = call_interpreter(&t.kiosk);
        let cancelled = moved(&t.kiosk, &call.id, "cancel");
        assert_eq!(cancelled.status, Cancelled);
        assert!(cancelled.ended_at.is_some() && cancelled.position.is_none());
        assert_eq!(moved(&t.kiosk, &call.id, "cancel"), cancelled);
        assert!(queue(&t.interpreter).is_empty());
        refused(&act(&t.interpreter, &call.id, "accept"), 409, "invalid_transition");
        refused(&act(&t.kiosk, &call.id, "started"), 409, "invalid_transition");
        refused(&act(&t.kiosk, &call.id, "end"), 409, "invalid_transition");
    });
}

#[test]
fn unavailable_answers_say_why_and_what_to_do_instead() {
    TestServer::on_each_database(|t| {
        let says_what_to_do = |call: &InterpreterCall, reason: UnavailableReason| {
            assert_eq!((call.status, call.unavailable_reason), (Unavailable, Some(reason)));
            assert_eq!((call.position, call.expected_wait_minutes), (None, None));
            let message = call.unavailable_message.as_ref().unwrap();
            assert!(message.zh.contains("工作人员") && message.zh.contains("文字帮助"), "{message:?}");
            assert!(message.en.contains("staff") && message.en.contains("written help"), "{message:?}");
        };

        // Nobody on duty: no fake queue.
        let call = call_interpreter(&t.kiosk);
        says_what_to_do(&call, UnavailableReason::NoInterpreterOnDuty);
        assert!(call.ended_at.is_some());
        assert_eq!(poll(&t.kiosk, &call.id), call);

        // The last interpreter going off duty leaves the queued calls unavailable.
        on_duty(&t.interpreter);
        let waiting = call_interpreter(&t.kiosk);
        assert_eq!(waiting.status, Queued);
        let me: Interpreter = parsed(t.interpreter.post("/v1/interpreters/me/off-duty", None, None), 200);
        assert!(!me.on_duty);
        says_what_to_do(&poll(&t.kiosk, &waiting.id), UnavailableReason::NoInterpreterOnDuty);
        on_duty(&t.interpreter);
        refused(&act(&t.interpreter, &waiting.id, "accept"), 409, "invalid_transition");

        // A call nobody accepts in time.
        let waiting = call_interpreter(&t.kiosk);
        t.sql(&[&format!(
            "UPDATE interpreter_calls SET created_at = created_at - {} WHERE id = '{}'",
            (MAX_QUEUE_MINUTES * 60 + 1) * 1000,
            waiting.id
        )]);
        says_what_to_do(&poll(&t.kiosk, &waiting.id), UnavailableReason::NoAnswer);
        assert!(queue(&t.interpreter).is_empty());
    });
}

#[test]
fn a_call_ends_when_one_end_stops_reading_it_for_a_few_minutes() {
    TestServer::on_each_database(|t| {
        on_duty(&t.interpreter);
        let away = |column: &str, id: &str| {
            let minutes = (GONE_AFTER_MINUTES * 60 + 1) * 1000;
            t.sql(&[&format!("UPDATE interpreter_calls SET {column} = {column} - {minutes} WHERE id = '{id}'")]);
        };
        let ended = |call: &InterpreterCall, status, reason| {
            assert_eq!((call.status, call.ended_reason), (status, Some(reason)), "{call:?}");
            assert!(call.ended_at.is_some() && call.join_url.is_none());
        };

        // The interpreter left the room: the kiosk's next poll ends the call, and the kiosk reading
        // it all along kept its own end alive.
        let call = call_interpreter(&t.kiosk);
        moved(&t.interpreter, &call.id, "accept");
        moved(&t.kiosk, &call.id, "started");
        away("interpreter_seen_at", &call.id);
        ended(&poll(&t.kiosk, &call.id), Ended, CallEndReason::InterpreterGone);
        assert_eq!(on_duty(&t.interpreter).current_call, None, "the interpreter is free for the next call");

        // An interpreter who reads the call stays in it, however long the kiosk has waited.
        let call = call_interpreter(&t.kiosk);
        moved(&t.interpreter, &call.id, "accept");
        away("interpreter_seen_at", &call.id);
        poll(&t.interpreter, &call.id);
        assert_eq!(poll(&t.kiosk, &call.id).status, Assigned);

        // The kiosk went quiet (switched off, network down): the interpreter's desk sees it end.
        away("kiosk_seen_at", &call.id);
        ended(&poll(&t.interpreter, &call.id), Ended, CallEndReason::KioskGone);

        // A queued call whose kiosk went quiet is cancelled before an interpreter takes it.
        let call = call_interpreter(&t.kiosk);
        away("kiosk_seen_at", &call.id);
        assert!(queue(&t.interpreter).is_empty());
        ended(&poll(&t.kiosk, &call.id), Cancelled, CallEndReason::KioskGone);
    });
}

#[test]
fn position_and_expected_wait_move_as_calls_ahead_are_taken() {
    TestServer::on_each_database(|t| {
        on_duty(&t.interpreter);
        let kiosks = [t.kiosk.clone(), kiosk(t, "kiosk-2"), kiosk(t, "kiosk-3")];
        let made: Vec<(&Client, String)> = kiosks.iter().map(|k| (k, call_interpreter(k).id)).collect();
        // The queue, oldest first, each with its position (calls made in the same millisecond
        // may take either order).
        let calls = queue(&t.interpreter);
        let positions: Vec<_> = calls.iter().map(|c| c.position.unwrap()).collect();
        assert_eq!(positions, [1, 2, 3]);
        let ids: Vec<String> = calls.iter().map(|c| c.id.clone()).collect();
        // As each kiosk sees its own call.
        let wait = |id: &str| {
            let (kiosk, _) = made.iter().find(|(_, call)| call == id).unwrap();
            let call = poll(kiosk, id);
            (call.position.unwrap(), call.expected_wait_minutes.unwrap())
        };
        // One free interpreter for the first; the others wait for whole calls of the default
        // length (no call has ended yet).
        assert_eq!(service_api::DEFAULT_CALL_MINUTES, 10.0);
        assert_eq!([wait(&ids[0]), wait(&ids[1]), wait(&ids[2])], [(1, 1), (2, 10), (3, 20)]);

        moved(&t.interpreter, &ids[0], "accept");
        assert_eq!([wait(&ids[1]), wait(&ids[2])], [(1, 10), (2, 20)]);

        // The first call ends after 4 minutes: the interpreter is free, and calls last 4 minutes.
        moved(&t.interpreter, &ids[0], "end");
        t.sql(&[&format!("UPDATE interpreter_calls SET assigned_at = ended_at - 240000 WHERE id = '{}'", ids[0])]);
        assert_eq!([wait(&ids[1]), wait(&ids[2])], [(1, 1), (2, 4)]);

        moved(&t.interpreter, &ids[1], "accept");
        assert_eq!(wait(&ids[2]), (1, 4));
        let queue_now = queue(&t.interpreter);
        assert_eq!(queue_now.len(), 1);
        assert_eq!(queue_now[0].id, ids[2]);
    });
}

#[test]
fn of_two_interpreters_accepting_one_call_exactly_one_wins() {
    TestServer::on_each_database(|t| {
        let other = interpreter(t, "李强");
        for i in [&t.interpreter, &other] {
            on_duty(i);
        }
        for round in 0..5 {
            let call = call_interpreter(&t.kiosk);
            let id = call.id.as_str();
            let replies: Vec<Reply> = std::thread::scope(|s| {
                let handles: Vec<_> =
                    [&t.interpreter, &other].into_iter().map(|i| s.spawn(move || act(i, id, "accept"))).collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
            assert!(statuses == [200, 409] || statuses == [409, 200], "round {round}: {statuses:?}");
            let lost = replies.iter().find(|r| r.status == 409).unwrap();
            refused(lost, 409, "invalid_transition");
            let won: InterpreterCall =
                serde_json::from_value(replies.iter().find(|r| r.status == 200).unwrap().body.clone()).unwrap();
            assert_eq!(poll(&t.kiosk, &call.id).interpreter, won.interpreter);
            moved(&t.kiosk, &call.id, "end");
        }
    });
}

#[test]
fn an_interpreter_has_one_call_at_a_time_and_must_be_on_duty() {
    TestServer::on_each_database(|t| {
        let off = interpreter(t, "李强");
        on_duty(&t.interpreter);
        let first = call_interpreter(&t.kiosk);
        let second = call_interpreter(&kiosk(t, "kiosk-2"));
        refused(&act(&off, &first.id, "accept"), 409, "interpreter_off_duty");

        // Both at once, from two devices: one call goes through.
        let me = &t.interpreter;
        let replies: Vec<Reply> = std::thread::scope(|s| {
            let handles: Vec<_> =
                [&first.id, &second.id].into_iter().map(|id| s.spawn(move || act(me, id, "accept"))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{:?}", replies.iter().map(|r| &r.body).collect::<Vec<_>>());
        refused(replies.iter().find(|r| r.status == 409).unwrap(), 409, "interpreter_busy");
        assert_eq!(queue(&t.interpreter).len(), 1, "the other call is still queued");
    });
}

#[test]
fn a_kiosk_sees_only_its_own_calls_and_an_interpreter_only_its_own_room() {
    TestServer::on_each_database(|t| {
        let other_kiosk = kiosk(t, "kiosk-2");
        let other_interpreter = interpreter(t, "李强");
        on_duty(&t.interpreter);
        on_duty(&other_interpreter);
        let call = call_interpreter(&t.kiosk);
        let path = format!("/v1/interpreter-calls/{}", call.id);
        refused(&other_kiosk.get(&path), 404, "not_found");
        for action in ["cancel", "started", "end"] {
            refused(&act(&other_kiosk, &call.id, action), 404, "not_found");
        }
        assert_eq!(poll(&t.staff, &call.id), call, "staff see every call");
        assert_eq!(poll(&other_interpreter, &call.id), call, "interpreters see the queue");

        moved(&t.interpreter, &call.id, "accept");
        refused(&other_interpreter.get(&path), 404, "not_found");
        refused(&act(&other_interpreter, &call.id, "end"), 404, "not_found");
        let theirs: Vec<InterpreterCall> = parsed(other_interpreter.get("/v1/interpreter-calls?status=assigned"), 200);
        assert!(theirs.is_empty(), "{theirs:?}");
        assert_eq!(poll(&t.interpreter, &call.id).status, Assigned);

        let staff_call: StaffCall =
            parsed(t.kiosk.post("/v1/staff-calls", Some(&json!({"reason": "hearing"})), None), 201);
        refused(&other_kiosk.get(&format!("/v1/staff-calls/{}", staff_call.id)), 404, "not_found");
    });
}

#[test]
fn join_urls_are_distinct_long_random_rooms() {
    TestServer::on_each_database(|t| {
        on_duty(&t.interpreter);
        let mut rooms = HashSet::new();
        for _ in 0..10 {
            let call = call_interpreter(&t.kiosk);
            let url = moved(&t.interpreter, &call.id, "accept").join_url.unwrap();
            assert_room(&url);
            rooms.insert(url);
            moved(&t.interpreter, &call.id, "end");
        }
        assert_eq!(rooms.len(), 10);
    });
}

#[test]
fn a_new_call_from_a_kiosk_closes_its_earlier_one() {
    TestServer::on_each_database(|t| {
        on_duty(&t.interpreter);
        let forgotten = call_interpreter(&t.kiosk);
        let second = call_interpreter(&t.kiosk);
        assert_eq!(poll(&t.kiosk, &forgotten.id).status, Cancelled);
        assert_eq!(second.position, Some(1));
        moved(&t.interpreter, &second.id, "accept");
        let third = call_interpreter(&t.kiosk);
        assert_eq!(poll(&t.kiosk, &second.id).status, Ended);
        // The interpreter is free again and takes the new call.
        assert_eq!(moved(&t.interpreter, &third.id, "accept").status, Assigned);
    });
}

#[test]
fn a_staff_call_is_sent_then_acknowledged() {
    TestServer::on_each_database(|t| {
        let sent: StaffCall =
            parsed(t.kiosk.post("/v1/staff-calls", Some(&json!({"reason": "wheelchair"})), None), 201);
        assert_eq!(
            (sent.kiosk_id.as_str(), sent.reason, sent.status),
            ("kiosk-1", StaffCallReason::Wheelchair, StaffCallStatus::Sent)
        );
        assert_eq!((sent.acknowledged_at, &sent.acknowledged_by), (None, &None));
        let other: StaffCall =
            parsed(kiosk(t, "kiosk-2").post("/v1/staff-calls", Some(&json!({"reason": "vision"})), None), 201);
        let open: Vec<StaffCall> = parsed(t.staff.get("/v1/staff-calls?status=sent"), 200);
        assert_eq!(open, [sent.clone(), other.clone()], "oldest first");
        let path = format!("/v1/staff-calls/{}", sent.id);
        assert_eq!(parsed::<StaffCall>(t.kiosk.get(&path), 200), sent);

        let acknowledged: StaffCall = parsed(t.staff.post(&format!("{path}/acknowledge"), None, None), 200);
        assert_eq!(acknowledged.status, StaffCallStatus::Acknowledged);
        assert_eq!(acknowledged.acknowledged_by.as_deref(), Some("staff-1"));
        assert!(acknowledged.acknowledged_at.is_some());
        assert_eq!(parsed::<StaffCall>(t.kiosk.get(&path), 200), acknowledged);
        // A second staff member acknowledging: the first is on the way already.
        let colleague = t.client(Some("colleague-token"));
        t.add_token(Role::Staff, "staff-2", "colleague-token");
        assert_eq!(parsed::<StaffCall>(colleague.post(&format!("{path}/acknowledge"), None, None), 200), acknowledged);
        let open: Vec<StaffCall> = parsed(t.staff.get("/v1/staff-calls"), 200);
        assert_eq!(open, [other]);

        refused(&t.kiosk.post("/v1/staff-calls", Some(&json!({"reason": "bored"})), None), 400, "invalid_request");
        refused(&t.staff.get("/v1/staff-calls?status=acknowledged"), 400, "invalid_request");
        refused(&t.staff.get("/v1/staff-calls?status=nonsense"), 400, "invalid_request");
        refused(&t.staff.post("/v1/staff-calls/nope/acknowledge", None, None), 404, "not_found");
    });
}

#[test]
fn a_staff_call_resent_with_the_same_key_is_one_call() {
    TestServer::on_each_database(|t| {
        let body = json!({"reason": "need_help"});
        let first = t.kiosk.post("/v1/staff-calls", Some(&body), Some("kept-through-outage"));
        let resent = t.kiosk.post("/v1/staff-calls", Some(&body), Some("kept-through-outage"));
        assert_eq!((first.status, resent.status), (201, 201));
        assert_eq!(first.body, resent.body);
        assert!(!first.replayed && resent.replayed);
        let open: Vec<StaffCall> = parsed(t.staff.get("/v1/staff-calls"), 200);
        assert_eq!(open.len(), 1);

        // Likewise an interpreter call: a retry does not queue twice.
        on_duty(&t.interpreter);
        let first = t.kiosk.post("/v1/interpreter-calls", None, Some("sign-1"));
        let again = t.kiosk.post("/v1/interpreter-calls", None, Some("sign-1"));
        assert_eq!((first.status, &first.body), (again.status, &again.body));
        assert_eq!(queue(&t.interpreter).len(), 1);
    });
}

#[test]
fn roles_are_enforced() {
    TestServer::on_each_database(|t| {
        on_duty(&t.interpreter);
        let call = call_interpreter(&t.kiosk);
        let staff_call: StaffCall =
            parsed(t.kiosk.post("/v1/staff-calls", Some(&json!({"reason": "need_help"})), None), 201);
        let forbidden = |reply: Reply| refused(&reply, 403, "forbidden");
        // Kiosks do not do the interpreters' or the staff's part.
        forbidden(act(&t.kiosk, &call.id, "accept"));
        forbidden(t.kiosk.post("/v1/interpreters/me/on-duty", None, None));
        forbidden(t.kiosk.get("/v1/interpreter-calls"));
        forbidden(t.kiosk.get("/v1/staff-calls"));
        forbidden(t.kiosk.post(&format!("/v1/staff-calls/{}/acknowledge", staff_call.id), None, None));
        // Interpreters do nothing but calls.
        forbidden(t.interpreter.get("/v1/catalog"));
        forbidden(t.interpreter.post("/v1/interpreter-calls", None, None));
        forbidden(act(&t.interpreter, &call.id, "started"));
        forbidden(act(&t.interpreter, &call.id, "cancel"));
        forbidden(t.interpreter.post("/v1/staff-calls", Some(&json!({"reason": "need_help"})), None));
        forbidden(t.interpreter.get(&format!("/v1/staff-calls/{}", staff_call.id)));
        forbidden(t.interpreter.post("/v1/windows/1/call-next", None, None));
        // Staff do not take interpreter calls; the pre-review system takes no part.
        forbidden(act(&t.staff, &call.id, "accept"));
        forbidden(t.prereview.get(&format!("/v1/interpreter-calls/{}", call.id)));
        forbidden(t.prereview.post("/v1/staff-calls", Some(&json!({"reason": "vision"})), None));
        refused(&t.client(None).get("/v1/staff-calls"), 401, "unauthorized");
        // What each may do still works.
        assert_eq!(moved(&t.interpreter, &call.id, "accept").status, Assigned);
        assert_eq!(moved(&t.staff, &call.id, "end").status, Ended);
    });
}
