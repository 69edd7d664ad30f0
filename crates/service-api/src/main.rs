//! `service-api`: run the reference server, manage tokens, issue receipts, and work a window,
//! staff calls, interpreter calls, ratings or applications, or read the kiosks' health, from a
//! terminal.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use contract::model::{
    AdvanceApplication, Application, ApplicationStatus, Bilingual, Collection, DeviceStatus, Evaluation,
    EvaluationSummary, FaceAuth, Interpreter, InterpreterCall, InterpreterCallStatus, KioskHealth, NewApplication,
    NewFollowUp, NewReceipt, StaffCall, Ticket, Window,
};
use contract::{ApiClient, ApiFailure, CaCertificates};
use ed25519_dalek::SigningKey;
use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};
use service_api::{
    add_account, add_token, china_time, database_url, generate_token, issue_receipt, load_receipt_key, open_database,
    receipt_key_beside, router, sqlite_file, CallSettings, Limits, NewAccount, Role, ServiceHours, StaffRole, Tls,
    DEFAULT_PHOTO_RETENTION_DAYS, DEFAULT_VIDEO_BASE_URL,
};

#[derive(Parser)]
#[command(version, about = "Service API of a community service center (便民服务中心)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API over HTTP, or HTTPS with --tls-cert and --tls-key.
    Serve {
        /// sqlx URL (`postgres://...`, `sqlite://...`) or the path of a SQLite file.
        #[arg(long)]
        db: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        tls: TlsFiles,
        #[command(flatten)]
        key: ReceiptKey,
        /// Base URL of the video platform; an interpreter call's join URL is this, `/` and an
        /// unguessable room name.
        #[arg(long, value_name = "URL", default_value = DEFAULT_VIDEO_BASE_URL)]
        video_base_url: String,
        /// Daily hours (Beijing time) when interpreters can be called, e.g. 08:30-17:30;
        /// outside them a call is answered as unavailable. Default: any time.
        #[arg(long, value_name = "HH:MM-HH:MM")]
        interpreter_hours: Option<ServiceHours>,
        /// Days the photo of a face authentication nobody has approved or rejected is kept;
        /// a decided one's photo is deleted at once.
        #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_PHOTO_RETENTION_DAYS,
              value_parser = clap::value_parser!(u32).range(1..))]
        photo_retention_days: u32,
    },
    /// Manage bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage the staff console's accounts.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Pre-review receipts.
    Receipt {
        #[command(subcommand)]
        command: ReceiptCommand,
    },
    /// Staff actions over HTTP, against a local or remote server.
    Staff {
        #[command(flatten)]
        remote: Remote,
        #[command(subcommand)]
        action: StaffAction,
    },
    /// A sign-language interpreter's actions over HTTP.
    Interpreter {
        #[command(flatten)]
        remote: Remote,
        #[command(subcommand)]
        action: InterpreterAction,
    },
    /// Ratings of served visits (好差评) over HTTP, as staff: follow low ones up, read the figures.
    Evaluation {
        #[command(flatten)]
        remote: Remote,
        #[command(subcommand)]
        action: EvaluationAction,
    },
    /// Applications (办件) over HTTP, as staff: register them and move them on.
    Application {
        #[command(flatten)]
        remote: Remote,
        #[command(subcommand)]
        action: ApplicationAction,
    },
    /// The kiosks' health over HTTP, as staff: which are quiet, which devices are not ok.
    Kiosk {
        #[command(flatten)]
        remote: Remote,
        #[command(subcommand)]
        action: KioskAction,
    },
}

/// The server's certificate and key, to answer HTTPS itself (kiosks then trust the center's
/// CA with `api_ca_certificate`).
#[derive(Args)]
struct TlsFiles {
    /// PEM file of the server's certificate, then any intermediate ones; needs --tls-key.
    #[arg(long = "tls-cert", value_name = "FILE", requires = "key")]
    certificates: Option<PathBuf>,
    /// PEM file of the certificate's private key; needs --tls-cert.
    #[arg(long = "tls-key", value_name = "FILE", requires = "certificates")]
    key: Option<PathBuf>,
}

impl TlsFiles {
    fn load(&self) -> Result<Option<Tls>, Box<dyn std::error::Error>> {
        match (&self.certificates, &self.key) {
            (Some(certificates), Some(key)) => Ok(Some(Tls::from_pem_files(certificates, key)?)),
            _ => Ok(None),
        }
    }
}

/// The server to act on, and as whom.
#[derive(Args)]
struct Remote {
    /// Base URL of the API, e.g. http://127.0.0.1:8080 or https://api.center.example
    #[arg(long, env = "SERVICE_API_URL")]
    api: String,
    /// An interpreter token for `interpreter`, a staff token for the others.
    #[arg(long, env = "SERVICE_API_TOKEN", hide_env_values = true)]
    token: String,
    /// PEM file of the CA certificates to trust for an https:// API (the center's own CA)
    /// instead of the public web's.
    #[arg(long, value_name = "FILE", env = "SERVICE_API_CA_CERTIFICATE")]
    ca_certificate: Option<PathBuf>,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Add (or replace) the token of a kiosk, a staff member, the pre-review system or an
    /// interpreter and print it.
    Add {
        #[arg(long)]
        db: String,
        #[arg(long, value_enum)]
        role: Role,
        /// Kiosk id, staff name or interpreter's display name; adding a token again for the
        /// same role and name replaces it.
        #[arg(long)]
        name: String,
        /// The token; a random one is generated when not given.
        #[arg(long)]
        token: Option<String>,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Add a staff account of the console (/console on the server), e.g. the first admin, who
    /// then adds the others in the console. The password is the first line of standard input.
    Add {
        #[arg(long)]
        db: String,
        #[arg(long, value_enum)]
        role: StaffRole,
        /// The login name: letters, digits or . _ -
        #[arg(long)]
        login: String,
        /// The name pages show, e.g. 李明.
        #[arg(long)]
        name: String,
        /// A window clerk's window.
        #[arg(long)]
        window: Option<i64>,
    },
}

/// The Ed25519 key the server signs receipts with.
#[derive(Args)]
struct ReceiptKey {
    /// Key file (64 hex characters; created with mode 0600 when missing). Default:
    /// receipt-signing.key next to the SQLite database file; required with a database URL.
    #[arg(long = "receipt-key", value_name = "FILE")]
    file: Option<PathBuf>,
}

impl ReceiptKey {
    fn load(&self, db: Option<&str>) -> Result<SigningKey, Box<dyn std::error::Error>> {
        let file = match (&self.file, db.and_then(sqlite_file)) {
            (Some(file), _) => file.clone(),
            (None, Some(db_file)) => receipt_key_beside(db_file),
            (None, None) => {
                return Err("give the receipt signing key's file with --receipt-key (a database URL has no directory to keep it in)".into())
            }
        };
        Ok(load_receipt_key(&file)?)
    }
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Issue a receipt straight into the database (as POST /v1/receipts does) and print its
    /// number and token.
    Issue {
        /// sqlx URL (`postgres://...`, `sqlite://...`) or the path of a SQLite file.
        #[arg(long)]
        db: String,
        #[command(flatten)]
        key: ReceiptKey,
        /// Service code, e.g. residence-permit.
        #[arg(long)]
        service: String,
        /// Masked applicant name, e.g. 张*明.
        #[arg(long)]
        applicant: String,
        /// Indices of the missing materials in the service's list, e.g. 0,2.
        #[arg(long, value_delimiter = ',')]
        missing: Vec<u8>,
        /// Days the receipt stays valid (1 to 90).
        #[arg(long)]
        valid_days: u32,
        /// Also write the QR code to this PNG file.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// Print the public key that verifies the receipts, as 64 hex characters, for the
    /// configuration of kiosks that check receipts offline.
    PublicKey {
        /// The server's database: its key is the file next to it.
        #[arg(long, required_unless_present = "file")]
        db: Option<String>,
        #[command(flatten)]
        key: ReceiptKey,
    },
}

#[derive(Subcommand)]
enum StaffAction {
    /// List the windows.
    Windows,
    /// Open window N.
    Open { number: i64 },
    /// Close window N.
    Close { number: i64 },
    /// Call the next waiting ticket to window N.
    Call { number: i64 },
    /// The called resident arrived: start serving.
    Start { ticket_id: String },
    /// Done serving.
    Finish { ticket_id: String },
    /// The called resident did not come.
    NoShow { ticket_id: String },
    /// List the staff calls nobody has answered yet, oldest first.
    Calls,
    /// Answer a staff call: on the way.
    Ack { call_id: String },
    /// List the face authentications (养老金资格认证) waiting for review, oldest first.
    FaceReviews,
    /// Save the photo of a face authentication, to compare with the archive.
    FacePhoto {
        face_auth_id: String,
        /// The JPEG file to write.
        #[arg(long, value_name = "FILE.jpg")]
        out: PathBuf,
    },
    /// Approve a face authentication: the resident is confirmed.
    FaceApprove { face_auth_id: String },
    /// Reject a face authentication; the reason is shown to the resident.
    FaceReject {
        face_auth_id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum InterpreterAction {
    /// Go on duty: take calls.
    OnDuty,
    /// Go off duty (end your call first).
    OffDuty,
    /// List the queued calls, next first.
    Queue,
    /// Accept a queued call; prints its join URL.
    Accept { call_id: String },
    /// Stay with your call: read it every 5 seconds, which tells the API you are still
    /// there, until it ends (a call whose interpreter has not read it for 3 minutes ends).
    Stay { call_id: String },
    /// End your call.
    End { call_id: String },
}

#[derive(Subcommand)]
enum EvaluationAction {
    /// List the low ratings not followed up yet, oldest first, with their call-back numbers.
    List,
    /// Record what was found and done about a low rating (once).
    FollowUp {
        evaluation_id: String,
        #[arg(long)]
        finding: String,
        #[arg(long)]
        action: String,
    },
    /// Ratings per day, window and service, FROM to TO inclusive (at most 366 days).
    Summary {
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: String,
    },
}

#[derive(Subcommand)]
enum ApplicationAction {
    /// Register an application: accepted, with a new 12-digit number.
    Register {
        /// Service code, e.g. residence-permit.
        #[arg(long)]
        service: String,
        /// The applicant's ID number; with the phone number, it finds the application at a kiosk.
        #[arg(long)]
        id_number: String,
        /// Masked applicant name, e.g. 张*明.
        #[arg(long)]
        applicant: String,
        #[arg(long)]
        phone: String,
        /// The pre-review receipt it came from.
        #[arg(long)]
        receipt_number: Option<String>,
    },
    /// List the applications, oldest first.
    List,
    /// Move an application on: under_review, needs_materials (with --material) or completed
    /// (with --collection).
    Advance {
        application_id: String,
        /// under_review, needs_materials or completed.
        #[arg(long)]
        status: ApplicationStatus,
        /// A material still to bring, for needs_materials; repeat for each.
        #[arg(long = "material", value_name = "ZH|EN", value_parser = bilingual)]
        materials: Vec<Bilingual>,
        /// How the result is collected, for completed: window, post or online.
        #[arg(long)]
        collection: Option<Collection>,
        /// The window to bring the materials to, or to collect the result at.
        #[arg(long)]
        window: Option<i64>,
        /// A note for the history.
        #[arg(long, value_name = "ZH|EN", value_parser = bilingual)]
        note: Option<Bilingual>,
    },
}

#[derive(Subcommand)]
enum KioskAction {
    /// List the kiosks that have sent a heartbeat, by name: QUIET (none for over 3 minutes)
    /// or ok, last seen, version, uptime, restarts, outbox backlog and the devices not ok.
    List,
}

/// `中文|English`, as a bilingual text.
fn bilingual(text: &str) -> Result<Bilingual, String> {
    let (zh, en) =
        text.split_once('|').ok_or_else(|| format!("{text:?} is not ZH|EN, e.g. 近期照片|A recent photo"))?;
    Ok(Bilingual::new(zh, en))
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve { db, listen, tls, key, video_base_url, interpreter_hours, photo_retention_days } => {
            let calls = CallSettings { video_base_url, interpreter_hours };
            key.load(Some(&db)).and_then(|key| block_on(serve(db, listen, tls, key, calls, photo_retention_days)))
        }
        Command::Token { command: TokenCommand::Add { db, role, name, token } } => {
            block_on(token_add(db, role, name, token))
        }
        Command::Account { command: AccountCommand::Add { db, role, login, name, window } } => {
            block_on(account_add(db, role, login, name, window))
        }
        Command::Receipt { command } => receipt(command),
        Command::Staff { remote, action } => staff(&remote, action),
        Command::Interpreter { remote, action } => interpreter(&remote, action),
        Command::Evaluation { remote, action } => evaluation(&remote, action),
        Command::Application { remote, action } => application(&remote, action),
        Command::Kiosk { remote, action } => kiosk(&remote, action),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("service-api: {e}");
            ExitCode::FAILURE
        }
    }
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

fn block_on<T>(
    work: impl std::future::Future<Output = Result<T, Box<dyn std::error::Error>>>,
) -> Result<T, Box<dyn std::error::Error>> {
    tokio::runtime::Runtime::new()?.block_on(work)
}

async fn serve(
    db: String,
    listen: String,
    tls: TlsFiles,
    receipt_key: SigningKey,
    calls: CallSettings,
    photo_retention_days: u32,
) -> CliResult {
    let tls = tls.load()?;
    let db = open_database(&database_url(&db)).await?;
    let listener =
        tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("service-api listening on {scheme}://{}", listener.local_addr()?);
    let shutdown = async { drop(tokio::signal::ctrl_c().await) };
    let app = router(db, receipt_key, calls, photo_retention_days);
    service_api::serve(listener, app, tls, Limits::default(), shutdown).await;
    Ok(())
}

async fn token_add(db: String, role: Role, name: String, token: Option<String>) -> CliResult {
    let db = open_database(&database_url(&db)).await?;
    let token = token.unwrap_or_else(generate_token);
    add_token(&db, role, &name, &token).await?;
    println!("{token}");
    Ok(())
}

async fn account_add(db: String, role: StaffRole, login: String, name: String, window: Option<i64>) -> CliResult {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).map_err(|e| format!("cannot read the password: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let db = open_database(&database_url(&db)).await?;
    let new = NewAccount { login, display_name: name, role, window_number: window, password };
    add_account(&db, &new).await?;
    println!("added {} ({role}); sign in at /console", new.login);
    Ok(())
}

fn receipt(command: ReceiptCommand) -> CliResult {
    match command {
        ReceiptCommand::Issue { db, key, service, applicant, missing, valid_days, png } => {
            let key = key.load(Some(&db))?;
            let new = NewReceipt { service_code: service, applicant, missing_materials: missing, valid_days };
            let issued = block_on(async {
                let db = open_database(&database_url(&db)).await?;
                Ok(issue_receipt(&db, &key, &new, "cli:receipt-issue").await?)
            })?;
            if let Some(png) = png {
                write_qr_png(&issued.token, &png)?;
            }
            println!("number: {}", issued.number);
            println!("token: {}", issued.token);
            println!("expires_at: {}", issued.expires_at);
        }
        ReceiptCommand::PublicKey { db, key } => {
            println!("{}", hex::encode(key.load(db.as_deref())?.verifying_key().as_bytes()));
        }
    }
    Ok(())
}

/// The token's QR code: error correction M (a smudge or a crease still scans), 8 pixels a
/// module and the standard quiet zone of 4 modules, enough for a phone camera or a kiosk
/// scanner reading a phone screen or a print.
fn write_qr_png(token: &str, file: &Path) -> CliResult {
    let code = QrCode::with_error_correction_level(token, EcLevel::M)?;
    let image = code.render::<Luma<u8>>().module_dimensions(8, 8).quiet_zone(true).build();
    image.save_with_format(file, ImageFormat::Png).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(())
}

fn staff(remote: &Remote, action: StaffAction) -> CliResult {
    let client = remote.client()?;
    // One command sends at most one POST, each with a fresh key, as any client that might
    // retry should.
    let key = &generate_token();
    match action {
        StaffAction::Windows => client.windows().map_err(explained)?.iter().for_each(print_window),
        StaffAction::Open { number } => print_window(&client.set_window_open(number, true, key).map_err(explained)?),
        StaffAction::Close { number } => print_window(&client.set_window_open(number, false, key).map_err(explained)?),
        StaffAction::Call { number } => print_ticket(&client.call_next(number, key).map_err(explained)?),
        StaffAction::Start { ticket_id } => {
            print_ticket(&client.move_ticket(&ticket_id, "start", key).map_err(explained)?)
        }
        StaffAction::Finish { ticket_id } => {
            print_ticket(&client.move_ticket(&ticket_id, "finish", key).map_err(explained)?)
        }
        StaffAction::NoShow { ticket_id } => {
            print_ticket(&client.move_ticket(&ticket_id, "no-show", key).map_err(explained)?)
        }
        StaffAction::Calls => client.open_staff_calls().map_err(explained)?.iter().for_each(print_staff_call),
        StaffAction::Ack { call_id } => {
            print_staff_call(&client.acknowledge_staff_call(&call_id, key).map_err(explained)?)
        }
        StaffAction::FaceReviews => client.pending_face_auths().map_err(explained)?.iter().for_each(print_face_auth),
        StaffAction::FacePhoto { face_auth_id, out } => {
            let photo = client.face_auth_photo(&face_auth_id).map_err(explained)?;
            std::fs::write(&out, &photo).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            println!("{} ({} bytes)", out.display(), photo.len());
        }
        StaffAction::FaceApprove { face_auth_id } => {
            print_face_auth(&client.approve_face_auth(&face_auth_id, key).map_err(explained)?)
        }
        StaffAction::FaceReject { face_auth_id, reason } => {
            print_face_auth(&client.reject_face_auth(&face_auth_id, &reason, key).map_err(explained)?)
        }
    }
    Ok(())
}

fn interpreter(remote: &Remote, action: InterpreterAction) -> CliResult {
    let client = remote.client()?;
    let key = &generate_token();
    match action {
        InterpreterAction::OnDuty => print_interpreter(&client.set_on_duty(true, key).map_err(explained)?),
        InterpreterAction::OffDuty => print_interpreter(&client.set_on_duty(false, key).map_err(explained)?),
        InterpreterAction::Queue => {
            client.queued_interpreter_calls().map_err(explained)?.iter().for_each(print_interpreter_call)
        }
        InterpreterAction::Accept { call_id } => {
            print_interpreter_call(&client.accept_interpreter_call(&call_id, key).map_err(explained)?)
        }
        InterpreterAction::Stay { call_id } => stay(&client, &call_id)?,
        InterpreterAction::End { call_id } => {
            print_interpreter_call(&client.move_interpreter_call(&call_id, "end").map_err(explained)?)
        }
    }
    Ok(())
}

fn evaluation(remote: &Remote, action: EvaluationAction) -> CliResult {
    let client = remote.client()?;
    let key = &generate_token();
    match action {
        EvaluationAction::List => client.open_low_ratings().map_err(explained)?.iter().for_each(print_evaluation),
        EvaluationAction::FollowUp { evaluation_id, finding, action } => {
            let follow_up = NewFollowUp { finding, action };
            print_evaluation(&client.follow_up(&evaluation_id, &follow_up, key).map_err(explained)?)
        }
        EvaluationAction::Summary { from, to } => {
            client.evaluation_summary(&from, &to).map_err(explained)?.iter().for_each(print_summary)
        }
    }
    Ok(())
}

fn application(remote: &Remote, action: ApplicationAction) -> CliResult {
    let client = remote.client()?;
    let key = &generate_token();
    match action {
        ApplicationAction::Register { service, id_number, applicant, phone, receipt_number } => {
            let new = NewApplication { service_code: service, id_number, applicant, phone, receipt_number };
            print_application(&client.register_application(&new, key).map_err(explained)?)
        }
        ApplicationAction::List => client.applications().map_err(explained)?.iter().for_each(print_application),
        ApplicationAction::Advance { application_id, status, materials, collection, window, note } => {
            let advance =
                AdvanceApplication { status, note, missing_materials: materials, collection, window_number: window };
            print_application(&client.advance_application(&application_id, &advance, key).map_err(explained)?)
        }
    }
    Ok(())
}

fn kiosk(remote: &Remote, action: KioskAction) -> CliResult {
    let client = remote.client()?;
    match action {
        KioskAction::List => client.kiosks().map_err(explained)?.iter().for_each(print_kiosk),
    }
    Ok(())
}

/// Often enough that the API never takes the interpreter for gone (after 3 minutes).
const STAY_READ_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads the call until it is over, printing it whenever it changes.
fn stay(client: &ApiClient, call_id: &str) -> CliResult {
    let mut shown = None;
    loop {
        let call = client.interpreter_call(call_id).map_err(explained)?;
        if shown.as_ref() != Some(&call) {
            print_interpreter_call(&call);
        }
        if !matches!(call.status, InterpreterCallStatus::Assigned | InterpreterCallStatus::InCall) {
            return Ok(());
        }
        shown = Some(call);
        std::thread::sleep(STAY_READ_EVERY);
    }
}

impl Remote {
    fn client(&self) -> Result<ApiClient, String> {
        match &self.ca_certificate {
            Some(file) => CaCertificates::read(file).map(|roots| ApiClient::trusting(&self.api, &self.token, &roots)),
            None => Ok(ApiClient::new(&self.api, &self.token)),
        }
    }
}

/// What the API answered, or why it did not, for the terminal: an error answer gives its code
/// and both messages.
fn explained(failure: ApiFailure) -> String {
    match failure {
        ApiFailure::Refused(e) => format!("{}: {} / {}", e.code, e.message.zh, e.message.en),
        ApiFailure::Unreachable(why) => format!("no answer from the API: {why}"),
    }
}

fn print_staff_call(c: &StaffCall) {
    let answered = match &c.acknowledged_by {
        Some(name) => format!("  on the way: {name}"),
        None => String::new(),
    };
    println!("{}  kiosk {}  {}  {}{answered}", c.id, c.kiosk_id, c.reason, c.status,);
}

fn print_face_auth(f: &FaceAuth) {
    let l = &f.liveness;
    let mut line = format!(
        "{}  {}  attempt {}  liveness {} ({}, left {}, right {}, {} ms)  submitted {} (Beijing)  {}",
        f.id,
        f.id_number_masked,
        f.attempt,
        if l.passed { "passed" } else { "failed" },
        l.movement,
        l.turned_left,
        l.turned_right,
        l.duration_ms,
        china_time(f.submitted_at.div_euclid(1000)),
        f.status,
    );
    if let Some(by) = &f.reviewed_by {
        line += &format!("  by {by}");
    }
    if let Some(reason) = &f.reject_reason {
        line += &format!("  reason: {reason}");
    }
    println!("{line}");
}

fn print_evaluation(e: &Evaluation) {
    let mut line = format!(
        "{}  {}  window {}  {}  {}  {} (Beijing)",
        e.id,
        e.ticket_number,
        e.window_number,
        e.service_code,
        e.level,
        china_time(e.created_at.div_euclid(1000))
    );
    if !e.reasons.is_empty() {
        let reasons: Vec<&str> = e.reasons.iter().map(|r| r.as_str()).collect();
        line += &format!("  reasons: {}", reasons.join(", "));
    }
    if let Some(phone) = e.callback_phone.as_ref().or(e.callback_phone_masked.as_ref()) {
        line += &format!("  call back {phone}");
    }
    match (&e.follow_up, e.follow_up_due) {
        (Some(f), _) => line += &format!("  followed up by {}: {} / {}", f.by, f.finding, f.action),
        (None, Some(due)) => line += &format!("  follow up by {}", china_time(due.div_euclid(1000))),
        (None, None) => {}
    }
    println!("{line}");
}

fn print_summary(s: &EvaluationSummary) {
    let c = &s.counts;
    println!(
        "{}  window {}  {}  total {}  satisfied {:.1}%  low {:.1}%  follow-ups overdue {}  \
         (very satisfied {}, satisfied {}, basically satisfied {}, dissatisfied {}, very dissatisfied {})",
        s.day,
        s.window_number,
        s.service_code,
        s.total,
        s.satisfaction_rate * 100.0,
        s.low_rate * 100.0,
        s.follow_ups_overdue,
        c.very_satisfied,
        c.satisfied,
        c.basically_satisfied,
        c.dissatisfied,
        c.very_dissatisfied
    );
}

fn print_application(a: &Application) {
    println!(
        "{}  {} / {}  {}  {}  next: {} / {}  phone {}  id {}",
        a.number,
        a.service_name.zh,
        a.service_name.en,
        a.applicant,
        a.status,
        a.next_step.zh,
        a.next_step.en,
        a.contact_phone_masked.as_deref().unwrap_or("-"),
        a.id
    );
    for material in &a.missing_materials {
        println!("    missing: {} / {}", material.zh, material.en);
    }
}

fn print_kiosk(k: &KioskHealth) {
    let h = &k.heartbeat;
    let mut line = format!(
        "{}  {}  last seen {} (Beijing)  version {}  up {}  restarts {}  backlog {}",
        k.kiosk,
        if k.quiet { "QUIET" } else { "ok" },
        china_time(k.last_seen.div_euclid(1000)),
        h.version,
        uptime(h.uptime_secs),
        h.restarts,
        h.outbox_backlog
    );
    for d in h.devices.iter().filter(|d| d.status != DeviceStatus::Ok) {
        line += &format!("  {} {}", d.device, d.status);
        if !d.detail.is_empty() {
            line += &format!(": {}", d.detail);
        }
    }
    println!("{line}");
}

/// Seconds as the two largest units: `3d 4h`, `2h 5m`, `7m 30s`, `42s`.
fn uptime(secs: i64) -> String {
    let (days, hours, minutes, seconds) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, _) => format!("{minutes}m {seconds}s"),
        (0, _, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h"),
    }
}

fn print_interpreter(i: &Interpreter) {
    println!(
        "{}  {}  current call: {}",
        i.name,
        if i.on_duty { "on duty / 在岗" } else { "off duty / 离岗" },
        i.current_call.as_deref().unwrap_or("-")
    );
}

fn print_interpreter_call(c: &InterpreterCall) {
    let mut line = format!("{}  kiosk {}  {}", c.id, c.kiosk_id, c.status);
    if let (Some(position), Some(wait)) = (c.position, c.expected_wait_minutes) {
        line += &format!("  position {position}  about {wait} min");
    }
    if let Some(url) = &c.join_url {
        line += &format!("  join {url}");
    }
    if let Some(reason) = c.ended_reason {
        line += &format!("  ({reason})");
    }
    println!("{line}");
}

fn print_window(w: &Window) {
    println!(
        "{} ({})  {}  current ticket: {}  services: {}",
        w.name.zh,
        w.name.en,
        if w.open { "open / 开放" } else { "closed / 关闭" },
        w.current_ticket.as_deref().unwrap_or("-"),
        w.services.join(", ")
    );
}

fn print_ticket(t: &Ticket) {
    println!(
        "{}  {} / {}  {}  priority {}  {} / {}  id {}",
        t.number, t.service_name.zh, t.service_name.en, t.status, t.priority, t.window.zh, t.window.en, t.id
    );
}

#[cfg(test)]
mod tests {
    use super::uptime;

    #[test]
    fn an_uptime_reads_as_its_two_largest_units() {
        assert_eq!(uptime(0), "0s");
        assert_eq!(uptime(42), "42s");
        assert_eq!(uptime(450), "7m 30s");
        assert_eq!(uptime(2 * 3600 + 5 * 60 + 9), "2h 5m");
        assert_eq!(uptime(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
    }
}
