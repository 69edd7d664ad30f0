//! The load bench: simulated kiosks (kiosks.rs) against `service-api serve` on PostgreSQL,
//! then one kiosk's load on SQLite, printed side by side with the targets. Run it with
//! `scripts/bench-load`, which gives it a throwaway PostgreSQL cluster.

mod kiosks;

use std::time::Duration;

use clap::Parser;
use kiosks::{Figures, Kind, Plan};
use sqlx::any::AnyPoolOptions;

/// The PostgreSQL database to run on, fresh: `scripts/with-postgres` sets it.
const POSTGRES_VARIABLE: &str = "SERVICE_API_TEST_POSTGRES";

/// The targets a district's server must meet on PostgreSQL.
const TARGET_TICKETS_PER_SECOND: f64 = 2000.0;
const TARGET_P99: Duration = Duration::from_millis(20);

#[derive(Parser)]
#[command(about = "Load bench of the service API: simulated kiosks on PostgreSQL, one kiosk's load on SQLite")]
struct Args {
    /// Kiosks on PostgreSQL (SQLite gets one).
    #[arg(long, default_value_t = 50)]
    kiosks: usize,
    /// Tickets a second over all the PostgreSQL kiosks; SQLite's one kiosk issues its share.
    #[arg(long, default_value_t = TARGET_TICKETS_PER_SECOND)]
    tickets_per_second: f64,
    /// Seconds each database is under load.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let args = Args::parse();
    let postgres = std::env::var(POSTGRES_VARIABLE)
        .unwrap_or_else(|_| panic!("{POSTGRES_VARIABLE} is not set: run the bench with scripts/bench-load"));
    let plan = Plan {
        kiosks: args.kiosks,
        tickets_per_second: args.tickets_per_second / args.kiosks as f64,
        run_for: Duration::from_secs(args.seconds),
    };
    let settings = postgres_settings(&postgres);
    eprintln!("load bench: {} kiosks on PostgreSQL for {} s...", plan.kiosks, args.seconds);
    let on_postgres = kiosks::run(&postgres, plan);
    eprintln!("load bench: 1 kiosk on SQLite for {} s...", args.seconds);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sqlite = service_api::database_url(&dir.path().join("center.db").to_string_lossy());
    let on_sqlite = kiosks::run(&sqlite, Plan { kiosks: 1, ..plan });

    println!(
        "Load bench: {} kiosks on PostgreSQL, 1 on SQLite, {:.0} tickets/s offered per kiosk, {} s each; \
         `service-api serve` in its own process, kiosks over HTTP/1.1 on 127.0.0.1",
        plan.kiosks, plan.tickets_per_second, args.seconds
    );
    println!("PostgreSQL {settings}");
    println!("SQLite {}", sqlite_settings(&sqlite));
    print_table(&[("PostgreSQL", &on_postgres), ("SQLite", &on_sqlite)]);
    println!("{}", verdict(&on_postgres));
    for (database, figures) in [("PostgreSQL", &on_postgres), ("SQLite", &on_sqlite)] {
        for error in &figures.first_errors {
            println!("{database}: first error of {error}");
        }
    }
}

fn print_table(columns: &[(&str, &Figures)]) {
    let side = |text: String| format!("{text:<52}");
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    let mut head = format!("{:<16}", "");
    let mut names = format!("{:<16}", "request");
    for (database, _) in columns {
        head += &side(format!("| {database}"));
        names += &side(format!(
            "| {:>7} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}",
            "count", "/s", "p50", "p90", "p99", "max", "errors"
        ));
    }
    println!("{head}\n{names}   (times in ms)");
    for kind in Kind::ALL {
        let mut line = format!("{:<16}", kind.name());
        for (_, figures) in columns {
            let k = &figures.kinds[&kind];
            line += &side(format!(
                "| {:>7} {:>7.1} {:>6} {:>6} {:>6} {:>6} {:>6}",
                k.count,
                k.per_second,
                ms(k.p50),
                ms(k.p90),
                ms(k.p99),
                ms(k.max),
                k.errors
            ));
        }
        println!("{line}");
    }
    let rows: [(&str, Summary); 5] = [
        ("tickets issued/s", |f| format!("{:.1}", f.tickets_per_second)),
        ("dup. numbers", |f| f.duplicates.to_string()),
        ("errors", |f| f.errors.to_string()),
        ("CPU s", |f| {
            let cpu = &f.cpu;
            format!(
                "server {:.1}, PG {:.1}, kiosks {:.1}, others {:.1}",
                cpu.server, cpu.postgres, cpu.bench, cpu.others
            )
        }),
        ("run", |f| format!("{:.1} s", f.elapsed.as_secs_f64())),
    ];
    for (name, value) in rows {
        let mut line = format!("{name:<16}");
        for (_, figures) in columns {
            line += &side(format!("| {}", value(figures)));
        }
        println!("{line}");
    }
}

/// A line of the table's foot: one figure of a run.
type Summary = fn(&Figures) -> String;

/// Whether the PostgreSQL run met the targets, and which it missed.
fn verdict(figures: &Figures) -> String {
    let mut missed = Vec::new();
    if figures.tickets_per_second < TARGET_TICKETS_PER_SECOND {
        missed.push(format!("{:.0} tickets/s < {TARGET_TICKETS_PER_SECOND:.0}", figures.tickets_per_second));
    }
    for (kind, k) in &figures.kinds {
        if k.p99 > TARGET_P99 {
            missed.push(format!(
                "{} p99 {:.1} ms > {} ms",
                kind.name(),
                k.p99.as_secs_f64() * 1000.0,
                TARGET_P99.as_millis()
            ));
        }
    }
    if figures.duplicates > 0 {
        missed.push(format!("{} duplicate numbers", figures.duplicates));
    }
    if figures.errors > 0 {
        missed.push(format!("{} errors", figures.errors));
    }
    let targets = format!(
        "Targets on PostgreSQL: >= {TARGET_TICKETS_PER_SECOND:.0} tickets/s, p99 <= {} ms for each kind, 0 duplicates, 0 errors",
        TARGET_P99.as_millis()
    );
    match missed.is_empty() {
        true => format!("{targets}: met"),
        false => format!("{targets}: MISSED ({})", missed.join("; ")),
    }
}

/// The server's settings that bear on the figures.
fn postgres_settings(url: &str) -> String {
    query_settings(
        url,
        "SELECT name || '=' || setting FROM pg_settings WHERE name IN ('server_version', 'fsync', \
         'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers', 'max_connections') ORDER BY name",
    )
}

/// SQLite's settings as the server's connections have them (sqlx's defaults).
fn sqlite_settings(url: &str) -> String {
    query_settings(
        url,
        "SELECT 'journal_mode=' || journal_mode FROM pragma_journal_mode UNION ALL \
         SELECT 'synchronous=' || synchronous FROM pragma_synchronous",
    )
}

fn query_settings(url: &str, query: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(1).connect(url).await.expect("the database opens");
        let settings: Vec<String> = sqlx::query_scalar(query).fetch_all(&pool).await.expect("its settings");
        settings.join(", ")
    })
}
