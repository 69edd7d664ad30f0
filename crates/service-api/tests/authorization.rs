//! Who may call what, route by route: every operation of `openapi.json` is refused, with the
//! status and error code the document gives, to a request without a valid bearer token, to
//! every role it is not for, and, where the path names a ticket, call or face
//! authentication, to a kiosk or interpreter that the object does not belong to. Ratings and
//! applications belong to no kiosk: staff read them, and any kiosk may rate a served ticket.

mod common;

use std::collections::BTreeSet;

use common::{
    new_face_auth, refused, test_jpeg, Client, Doc, TestServer, INTERPRETER_TOKEN, KIOSK_TOKEN, PREREVIEW_TOKEN,
    STAFF_TOKEN,
};
use serde_json::{json, Value};
use service_api::Role::{self, Interpreter, Kiosk, Prereview, Staff};

const SOCIAL: &str = "social-insurance-enrolment";
/// Served by window 6 only.
const LEGAL: &str = "legal-aid";
const OTHER_KIOSK_TOKEN: &str = "kiosk-2-token-for-tests";
const OTHER_INTERPRETER_TOKEN: &str = "interpreter-2-token-for-tests";

const KIOSK_OR_STAFF: &[Role] = &[Kiosk, Staff];
/// A kiosk speaking for itself: its heartbeat.
const KIOSK_ONLY: &[Role] = &[Kiosk];
const STAFF: &[Role] = &[Staff];
const PREREVIEW: &[Role] = &[Prereview];
const INTERPRETER: &[Role] = &[Interpreter];
/// Either end of an interpreter call: the kiosk (or its staff) and the interpreter.
const EITHER_END: &[Role] = &[Kiosk, Staff, Interpreter];

/// Who tries an object made by someone else.
#[derive(Clone, Copy, Debug)]
enum Stranger {
    /// Kiosk B, on kiosk A's ticket, call or face authentication.
    OtherKiosk,
    /// Interpreter B, on the call interpreter A accepted.
    OtherInterpreter,
}

use Stranger::{OtherInterpreter, OtherKiosk};

/// The `not_found` a server answers for an object the token may not see, as for one that
/// does not exist.
const HIDDEN: (u16, &str) = (404, "not_found");

/// Who may call a route, and how a stranger to the object it names is refused.
struct Rule {
    /// The roles whose tokens may call it; `None`: anyone, with no token.
    roles: Option<&'static [Role]>,
    strangers: &'static [(Stranger, (u16, &'static str))],
}

const fn only(roles: &'static [Role]) -> Rule {
    Rule { roles: Some(roles), strangers: &[] }
}

/// The expected access of every route. A route new to `openapi.json` fails the test until
/// it has its row here.
fn rule(method: &str, path: &str) -> Rule {
    match (method, path) {
        ("GET", "/openapi.json" | "/v1/health") => Rule { roles: None, strangers: &[] },
        ("GET", "/v1/catalog" | "/v1/services/{code}") => only(KIOSK_OR_STAFF),
        ("POST", "/v1/tickets") => only(KIOSK_OR_STAFF),
        ("GET", "/v1/tickets/{id}") => Rule { roles: Some(KIOSK_OR_STAFF), strangers: &[(OtherKiosk, HIDDEN)] },
        ("POST", "/v1/tickets/{id}/start" | "/v1/tickets/{id}/finish" | "/v1/tickets/{id}/no-show") => only(STAFF),
        ("GET", "/v1/windows") => only(STAFF),
        ("POST", "/v1/windows/{number}/open" | "/v1/windows/{number}/close" | "/v1/windows/{number}/call-next") => {
            only(STAFF)
        }
        ("POST", "/v1/receipts") => only(PREREVIEW),
        ("POST", "/v1/receipts/redeem") => only(KIOSK_OR_STAFF),
        ("POST", "/v1/interpreter-calls") => only(KIOSK_OR_STAFF),
        ("GET", "/v1/interpreter-calls") => only(INTERPRETER),
        ("GET", "/v1/interpreter-calls/{id}") => {
            Rule { roles: Some(EITHER_END), strangers: &[(OtherKiosk, HIDDEN), (OtherInterpreter, HIDDEN)] }
        }
        ("POST", "/v1/interpreter-calls/{id}/cancel" | "/v1/interpreter-calls/{id}/started") => {
            Rule { roles: Some(KIOSK_OR_STAFF), strangers: &[(OtherKiosk, HIDDEN)] }
        }
        // Interpreters see the queue, so a call another interpreter took is not hidden: it
        // is taken, as for the loser of a race to accept it.
        ("POST", "/v1/interpreter-calls/{id}/accept") => {
            Rule { roles: Some(INTERPRETER), strangers: &[(OtherInterpreter, (409, "invalid_transition"))] }
        }
        ("POST", "/v1/interpreter-calls/{id}/end") => {
            Rule { roles: Some(EITHER_END), strangers: &[(OtherKiosk, HIDDEN), (OtherInterpreter, HIDDEN)] }
        }
        ("POST", "/v1/interpreters/me/on-duty" | "/v1/interpreters/me/off-duty") => only(INTERPRETER),
        ("POST", "/v1/staff-calls") => only(KIOSK_OR_STAFF),
        ("GET", "/v1/staff-calls") => only(STAFF),
        ("GET", "/v1/staff-calls/{id}") => Rule { roles: Some(KIOSK_OR_STAFF), strangers: &[(OtherKiosk, HIDDEN)] },
        ("POST", "/v1/staff-calls/{id}/acknowledge") => only(STAFF),
        ("POST", "/v1/face-auth") => only(KIOSK_OR_STAFF),
        ("GET", "/v1/face-auth") => only(STAFF),
        ("GET", "/v1/face-auth/{id}") => Rule { roles: Some(KIOSK_OR_STAFF), strangers: &[(OtherKiosk, HIDDEN)] },
        ("GET", "/v1/face-auth/{id}/photo") => only(STAFF),
        ("POST", "/v1/face-auth/{id}/approve" | "/v1/face-auth/{id}/reject") => only(STAFF),
        // Any kiosk may rate any served ticket: the resident took it at one kiosk and rates
        // it at another, or at the window's evaluator.
        (
            "GET",
            "/v1/rateable-visits/{number}" | "/v1/tickets/{id}/rateable-visit" | "/v1/windows/{number}/rateable-visit",
        ) => only(KIOSK_OR_STAFF),
        ("POST", "/v1/evaluations" | "/v1/applications/lookup") => only(KIOSK_OR_STAFF),
        ("GET", "/v1/evaluations" | "/v1/evaluations/summary" | "/v1/evaluations/{id}" | "/v1/applications") => {
            only(STAFF)
        }
        ("POST", "/v1/evaluations/{id}/follow-up" | "/v1/applications" | "/v1/applications/{id}/advance") => {
            only(STAFF)
        }
        // A heartbeat is the calling kiosk's own: a staff token is no kiosk. Only staff read
        // the fleet's health.
        ("POST", "/v1/kiosks/heartbeat") => only(KIOSK_ONLY),
        ("GET", "/v1/kiosks") => only(STAFF),
        (method, path) => panic!("add authorization rows for {method} {path}"),
    }
}

/// The roles the document's tag for an operation names, as [`Rule::roles`] says them.
fn tagged_roles(tag: &str) -> Option<&'static [Role]> {
    match tag {
        "meta" => None,
        "kiosk" => Some(KIOSK_OR_STAFF),
        "kiosk-only" => Some(KIOSK_ONLY),
        "staff" => Some(STAFF),
        "prereview" => Some(PREREVIEW),
        "interpreter" => Some(INTERPRETER),
        "call" => Some(EITHER_END),
        other => panic!("unknown tag {other}"),
    }
}

/// One of each object a path can name, all made by kiosk A; the interpreter call is
/// accepted by interpreter A; the (low) rating is kiosk A's of a ticket staff served; staff
/// registered the application.
struct Objects {
    ticket: String,
    interpreter_call: String,
    staff_call: String,
    face_auth: String,
    evaluation: String,
    application: String,
}

impl Objects {
    fn make(t: &TestServer) -> Objects {
        let id = |reply: common::Reply| {
            assert_eq!(reply.status, 201, "{}", reply.body);
            reply.body["id"].as_str().unwrap().to_owned()
        };
        let ticket = t.kiosk.issue(SOCIAL, "normal")["id"].as_str().unwrap().to_owned();
        let staff_call = id(t.kiosk.post("/v1/staff-calls", Some(&json!({"reason": "need_help"})), None));
        let face_auth =
            id(t.kiosk.post("/v1/face-auth", Some(&new_face_auth("11010519491231002X", &test_jpeg())), None));
        assert_eq!(t.interpreter.post("/v1/interpreters/me/on-duty", None, None).status, 200);
        let interpreter_call = id(t.kiosk.post("/v1/interpreter-calls", None, None));
        let accepted = t.interpreter.post(&format!("/v1/interpreter-calls/{interpreter_call}/accept"), None, None);
        assert_eq!(accepted.status, 200, "{}", accepted.body);
        let served = t.served_ticket(LEGAL, 6);
        let rating =
            json!({"ticket_id": served, "level": "dissatisfied", "reasons": ["long_wait"], "channel": "kiosk"});
        let evaluation = id(t.kiosk.post("/v1/evaluations", Some(&rating), None));
        let new_application = json!({"service_code": SOCIAL, "id_number": "11010519491231002X",
                                     "applicant": "张*明", "phone": "13800138000"});
        let application = id(t.staff.post("/v1/applications", Some(&new_application), None));
        Objects { ticket, interpreter_call, staff_call, face_auth, evaluation, application }
    }

    /// The path of a route's template, naming these objects.
    fn path(&self, template: &str) -> String {
        let id = match template.split('/').nth(2) {
            Some("tickets") => &self.ticket,
            Some("interpreter-calls") => &self.interpreter_call,
            Some("staff-calls") => &self.staff_call,
            Some("face-auth") => &self.face_auth,
            Some("evaluations") => &self.evaluation,
            Some("applications") => &self.application,
            _ => "",
        };
        let path = template.replace("{id}", id).replace("{code}", SOCIAL).replace("{number}", "1");
        assert!(!path.contains('{'), "no value for a parameter of {template}");
        path
    }

    /// Each as its owner reads it, and the kiosks staff see: nothing refused changed them (a
    /// refused heartbeat lists no kiosk).
    fn statuses(&self, t: &TestServer) -> [Value; 7] {
        [
            t.kiosk.get(&format!("/v1/tickets/{}", self.ticket)).body["status"].clone(),
            t.kiosk.get(&format!("/v1/interpreter-calls/{}", self.interpreter_call)).body["status"].clone(),
            t.kiosk.get(&format!("/v1/staff-calls/{}", self.staff_call)).body["status"].clone(),
            t.kiosk.get(&format!("/v1/face-auth/{}", self.face_auth)).body["status"].clone(),
            t.staff.get(&format!("/v1/evaluations/{}", self.evaluation)).body["follow_up"].clone(),
            t.staff.get("/v1/applications?status=accepted").body,
            t.staff.get("/v1/kiosks").body,
        ]
    }
}

fn send(client: &Client, method: &str, path: &str) -> common::Reply {
    match method {
        "GET" => client.get(path),
        "POST" => client.post(path, None, None),
        other => panic!("no client for {other}"),
    }
}

#[test]
fn every_route_refuses_whoever_it_is_not_for_as_the_document_says() {
    let doc = Doc::load();
    let documented: BTreeSet<(String, String)> = doc.operations().into_iter().map(|(m, p, _)| (m, p)).collect();
    let served: BTreeSet<(String, String)> =
        service_api::routes().into_iter().map(|(m, p)| (m.to_owned(), p.to_owned())).collect();
    assert_eq!(documented, served, "openapi.json and service_api::routes() differ");

    TestServer::on_each_database(|t| {
        t.add_token(Kiosk, "kiosk-2", OTHER_KIOSK_TOKEN);
        t.add_token(Interpreter, "李明", OTHER_INTERPRETER_TOKEN);
        let other_kiosk = t.client(Some(OTHER_KIOSK_TOKEN));
        let other_interpreter = t.client(Some(OTHER_INTERPRETER_TOKEN));
        // On duty and free, so that only the call itself can be why an accept is refused.
        assert_eq!(other_interpreter.post("/v1/interpreters/me/on-duty", None, None).status, 200);
        let objects = Objects::make(t);
        let before = objects.statuses(t);
        let token = |role: Role| match role {
            Kiosk => KIOSK_TOKEN,
            Staff => STAFF_TOKEN,
            Prereview => PREREVIEW_TOKEN,
            Interpreter => INTERPRETER_TOKEN,
        };

        let mut cases = 0;
        for (method, template, op) in doc.operations() {
            let rule = rule(&method, &template);
            let [tag] = op["tags"].as_array().unwrap().as_slice() else { panic!("{method} {template}: one tag") };
            assert_eq!(
                rule.roles,
                tagged_roles(tag.as_str().unwrap()),
                "the table and openapi.json disagree on who may call {method} {template}"
            );
            let Some(roles) = rule.roles else {
                assert!(doc.is_public(op), "{method} {template} is public in the table only");
                continue;
            };
            let path = objects.path(&template);
            let mut check = |client: &Client, who: &str, (status, code): (u16, &str)| {
                let reply = send(client, &method, &path);
                let context = format!("{method} {path} by {who}");
                assert_eq!((reply.status, &reply.body["code"]), (status, &json!(code)), "{context}: {}", reply.body);
                refused(&reply, status, code);
                let declared = doc.resolve(&op["responses"][status.to_string()]);
                let says =
                    declared["description"].as_str().unwrap_or_else(|| panic!("{context}: {status} undocumented"));
                assert!(says.contains(&format!("`{code}`")), "{context}: the document's {status} does not name {code}");
                cases += 1;
            };

            let unauthorized = (401, "unauthorized");
            let base = &t.server.base_url;
            let allowed_token = token(roles[0]);
            check(&t.client(None), "no token", unauthorized);
            check(&t.client(Some("not-a-token-of-this-server")), "an unknown token", unauthorized);
            for malformed in [
                allowed_token.to_owned(),
                format!("Basic {allowed_token}"),
                format!("Bearer: {allowed_token}"),
                "Bearer".to_owned(),
                "Bearer    ".to_owned(),
            ] {
                check(&Client::with_authorization(base, Some(&malformed)), &format!("{malformed:?}"), unauthorized);
            }
            for role in Role::ALL.into_iter().filter(|role| !roles.contains(role)) {
                check(&t.client(Some(token(role))), &format!("a {role} token"), (403, "forbidden"));
            }
            for &(stranger, refusal) in rule.strangers {
                let client = match stranger {
                    OtherKiosk => &other_kiosk,
                    OtherInterpreter => &other_interpreter,
                };
                check(client, &format!("{stranger:?}"), refusal);
            }
        }
        assert_eq!(objects.statuses(t), before, "a refused request changed an object");
        println!("authorization: {cases} refusals checked over {} routes", documented.len());
    });
}
