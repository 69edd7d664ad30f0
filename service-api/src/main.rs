//! `service-api`: run the reference server, manage tokens, and work a window from a terminal.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::de::DeserializeOwned;
use service_api::model::{ApiError, Ticket, Window};
use service_api::{add_token, database_url, generate_token, open_database, router, Role};

#[derive(Parser)]
#[command(
    version,
    about = "Service API of a community service center (便民服务中心)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API over HTTP.
    Serve {
        /// sqlx URL (`postgres://...`, `sqlite://...`) or the path of a SQLite file.
        #[arg(long)]
        db: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Manage bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Staff actions over HTTP, against a local or remote server.
    Staff {
        /// Base URL of the API, e.g. http://127.0.0.1:8080
        #[arg(long, env = "SERVICE_API_URL")]
        api: String,
        /// A staff token.
        #[arg(long, env = "SERVICE_API_TOKEN", hide_env_values = true)]
        token: String,
        #[command(subcommand)]
        action: StaffAction,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Add (or replace) the token of a kiosk or a staff member and print it.
    Add {
        #[arg(long)]
        db: String,
        #[arg(long, value_enum)]
        role: Role,
        /// Kiosk id or staff name; adding a token again for the same role and name replaces it.
        #[arg(long)]
        name: String,
        /// The token; a random one is generated when not given.
        #[arg(long)]
        token: Option<String>,
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
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve { db, listen } => block_on(serve(db, listen)),
        Command::Token {
            command:
                TokenCommand::Add {
                    db,
                    role,
                    name,
                    token,
                },
        } => block_on(token_add(db, role, name, token)),
        Command::Staff { api, token, action } => staff(&api, &token, action),
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

fn block_on(work: impl std::future::Future<Output = CliResult>) -> CliResult {
    tokio::runtime::Runtime::new()?.block_on(work)
}

async fn serve(db: String, listen: String) -> CliResult {
    let db = open_database(&database_url(&db)).await?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    println!("service-api listening on http://{}", listener.local_addr()?);
    let shutdown = async { drop(tokio::signal::ctrl_c().await) };
    axum::serve(listener, router(db))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

async fn token_add(db: String, role: Role, name: String, token: Option<String>) -> CliResult {
    let db = open_database(&database_url(&db)).await?;
    let token = token.unwrap_or_else(generate_token);
    add_token(&db, role, &name, &token).await?;
    println!("{token}");
    Ok(())
}

fn staff(api: &str, token: &str, action: StaffAction) -> CliResult {
    let client = StaffClient::new(api, token);
    match action {
        StaffAction::Windows => client
            .get::<Vec<Window>>("/v1/windows")?
            .iter()
            .for_each(print_window),
        StaffAction::Open { number } => {
            print_window(&client.post(&format!("/v1/windows/{number}/open"))?)
        }
        StaffAction::Close { number } => {
            print_window(&client.post(&format!("/v1/windows/{number}/close"))?)
        }
        StaffAction::Call { number } => {
            print_ticket(&client.post(&format!("/v1/windows/{number}/call-next"))?)
        }
        StaffAction::Start { ticket_id } => {
            print_ticket(&client.post(&format!("/v1/tickets/{ticket_id}/start"))?)
        }
        StaffAction::Finish { ticket_id } => {
            print_ticket(&client.post(&format!("/v1/tickets/{ticket_id}/finish"))?)
        }
        StaffAction::NoShow { ticket_id } => {
            print_ticket(&client.post(&format!("/v1/tickets/{ticket_id}/no-show"))?)
        }
    }
    Ok(())
}

fn print_window(w: &Window) {
    println!(
        "{} ({})  {}  current ticket: {}  services: {}",
        w.name.zh,
        w.name.en,
        if w.open {
            "open / 开放"
        } else {
            "closed / 关闭"
        },
        w.current_ticket.as_deref().unwrap_or("-"),
        w.services.join(", ")
    );
}

fn print_ticket(t: &Ticket) {
    println!(
        "{}  {} / {}  {}  priority {}  {} / {}  id {}",
        t.number,
        t.service_name.zh,
        t.service_name.en,
        t.status.as_str(),
        t.priority.as_str(),
        t.window.zh,
        t.window.en,
        t.id
    );
}

/// The staff side of the API over HTTP; error answers become readable errors.
struct StaffClient {
    agent: ureq::Agent,
    api: String,
    authorization: String,
}

impl StaffClient {
    fn new(api: &str, token: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        StaffClient {
            agent,
            api: api.trim_end_matches('/').to_owned(),
            authorization: format!("Bearer {token}"),
        }
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Box<dyn std::error::Error>> {
        let response = self
            .agent
            .get(format!("{}{path}", self.api))
            .header("Authorization", &self.authorization)
            .call()?;
        read(response)
    }

    /// POSTs carry a fresh Idempotency-Key, as any client that might retry should.
    fn post<T: DeserializeOwned>(&self, path: &str) -> Result<T, Box<dyn std::error::Error>> {
        let response = self
            .agent
            .post(format!("{}{path}", self.api))
            .header("Authorization", &self.authorization)
            .header("Idempotency-Key", generate_token())
            .send_empty()?;
        read(response)
    }
}

fn read<T: DeserializeOwned>(
    mut response: ureq::http::Response<ureq::Body>,
) -> Result<T, Box<dyn std::error::Error>> {
    let status = response.status();
    if status.is_success() {
        return Ok(response.body_mut().read_json()?);
    }
    match response.body_mut().read_json::<ApiError>() {
        Ok(e) => Err(format!("{} ({status}): {} / {}", e.code, e.message.zh, e.message.en).into()),
        Err(_) => Err(format!("HTTP {status}").into()),
    }
}
