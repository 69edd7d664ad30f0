//! Who calls and what they may do: the token's [`Role`], the authenticated [`Caller`], who may
//! call a route ([`Access`]) and who may see a call or a submission.

use contract::string_enum;

string_enum! {
    /// What a bearer token may do: a kiosk issues and follows tickets, redeems receipts and
    /// calls interpreters and staff; staff may also run windows and answer staff calls; the
    /// pre-review system only issues receipts; an interpreter (the token's name is their
    /// display name) goes on and off duty and takes interpreter calls.
    #[derive(clap::ValueEnum)]
    pub enum Role {
        Kiosk = "kiosk",
        Staff = "staff",
        Prereview = "prereview",
        Interpreter = "interpreter",
    }
}

/// The authenticated caller, put in the request's extensions by the HTTP layer.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub role: Role,
    /// The token's name: a kiosk's id, a staff member's or an interpreter's name.
    pub name: String,
    /// Idempotency keys are per token.
    pub token_hash: String,
}

impl Caller {
    /// Who issued a ticket, receipt or call, as stored with it: `kiosk:kiosk-01`.
    pub fn issued_by(&self) -> String {
        format!("{}:{}", self.role, self.name)
    }

    /// Staff see every call and submission; a kiosk sees only its own.
    pub fn may_see(&self, requested_by: &str) -> bool {
        self.role == Role::Staff || self.issued_by() == requested_by
    }

    /// Interpreters see the queued calls and their own, never another interpreter's room;
    /// the others see an interpreter call as [`Caller::may_see`] says.
    pub fn may_see_interpreter_call(&self, queued: bool, interpreter: Option<&str>, requested_by: &str) -> bool {
        match self.role {
            Role::Interpreter => queued || interpreter == Some(self.name.as_str()),
            _ => self.may_see(requested_by),
        }
    }
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Public,
    /// Kiosk or staff tokens.
    Kiosk,
    /// Kiosk tokens only: a kiosk speaking for itself (its heartbeat), which staff cannot.
    KioskOnly,
    Staff,
    /// The pre-review system's tokens.
    Prereview,
    Interpreter,
    /// Both ends of an interpreter call: kiosk, staff or interpreter tokens.
    Call,
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public => true,
            Access::Kiosk => matches!(role, Role::Kiosk | Role::Staff),
            Access::KioskOnly => role == Role::Kiosk,
            Access::Staff => role == Role::Staff,
            Access::Prereview => role == Role::Prereview,
            Access::Interpreter => role == Role::Interpreter,
            Access::Call => role != Role::Prereview,
        }
    }

    /// Who may call such a route (zh, en), for the `forbidden` answer.
    pub fn who(self) -> (&'static str, &'static str) {
        match self {
            Access::Public => ("所有人", "anyone"),
            Access::Kiosk => ("自助终端和工作人员", "kiosks and staff"),
            Access::KioskOnly => ("自助终端", "kiosks"),
            Access::Staff => ("工作人员", "staff"),
            Access::Prereview => ("预审系统", "the pre-review system"),
            Access::Interpreter => ("手语翻译员", "sign-language interpreters"),
            Access::Call => ("自助终端、工作人员和手语翻译员", "kiosks, staff and sign-language interpreters"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, name: &str) -> Caller {
        Caller { role, name: name.into(), token_hash: String::new() }
    }

    #[test]
    fn staff_may_do_what_kiosks_do_but_nobody_else_crosses_over() {
        use Role::*;
        let allowed = |access: Access| Role::ALL.into_iter().filter(|&role| access.allows(role)).collect::<Vec<_>>();
        assert_eq!(allowed(Access::Public), Role::ALL);
        assert_eq!(allowed(Access::Kiosk), [Kiosk, Staff]);
        assert_eq!(allowed(Access::KioskOnly), [Kiosk]);
        assert_eq!(allowed(Access::Staff), [Staff]);
        assert_eq!(allowed(Access::Prereview), [Prereview]);
        assert_eq!(allowed(Access::Interpreter), [Interpreter]);
        assert_eq!(allowed(Access::Call), [Kiosk, Staff, Interpreter]);
    }

    #[test]
    fn a_kiosk_sees_its_own_calls_and_staff_see_all() {
        let kiosk = caller(Role::Kiosk, "k1");
        assert_eq!(kiosk.issued_by(), "kiosk:k1");
        assert!(kiosk.may_see("kiosk:k1"));
        assert!(!kiosk.may_see("kiosk:k2"));
        // The same name with another role is another token.
        assert!(!kiosk.may_see("staff:k1"));
        assert!(caller(Role::Staff, "desk-1").may_see("kiosk:k2"));
        assert!(!caller(Role::Prereview, "k1").may_see("kiosk:k1"));
    }

    #[test]
    fn an_interpreter_sees_the_queue_and_their_own_calls_only() {
        let wang = caller(Role::Interpreter, "王丽");
        assert!(wang.may_see_interpreter_call(true, None, "kiosk:k1"));
        assert!(wang.may_see_interpreter_call(false, Some("王丽"), "kiosk:k1"));
        assert!(!wang.may_see_interpreter_call(false, Some("李明"), "kiosk:k1"));
        assert!(!wang.may_see_interpreter_call(false, None, "interpreter:王丽"));
        // A kiosk does not see another kiosk's queued call.
        assert!(!caller(Role::Kiosk, "k2").may_see_interpreter_call(true, None, "kiosk:k1"));
    }
}
