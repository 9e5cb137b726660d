//! `tallymark`: the developer loop of Workers Analytics Engine, locally. Points are loaded into a
//! SQLite store (`ingest`), read back with Analytics Engine's own SQL dialect, checked against AE's
//! rules before it runs (`query`, `query --check`), served behind AE's HTTP endpoint (`serve`) or
//! sent to the real one (`query --remote`); schema locks are exported and checked (`schema`). A
//! worker runs in workerd with its points captured into the store (`dev`), and the store is
//! followed as points arrive (`tail`).
//!
//! The commands' code is the crate's library (`src/lib.rs`), which the fuzz targets of `fuzz/` call
//! too; this file is the command line.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tallymark_cli::{
    counted, dev, emit, ingest, output, remote, schema, serve, show, sql, store, tail, time,
};
use tallymark_schema::export::Layout;

/// Analytics Engine's developer loop, locally: a point store, AE's SQL checked and run, schema
/// exports.
#[derive(Parser)]
#[command(name = "tallymark", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a workers-rs crate and run it in workerd on 127.0.0.1, its Analytics Engine points
    /// stored and printed as they arrive.
    Dev {
        /// The crate's folder (with wrangler.toml).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The store's file.
        #[arg(long, default_value = store::DEFAULT_PATH)]
        db: PathBuf,
        /// The port to serve the worker on, on 127.0.0.1.
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// The schema lock naming the fields (default: the crate's tallymark.lock when present).
        #[arg(long)]
        lock: Option<PathBuf>,
        /// Run the worker as built (what wrangler.toml's `main` points at), without building it
        /// first; a change still rebuilds it unless --no-watch.
        #[arg(long)]
        no_build: bool,
        /// Do not rebuild and restart the worker when src/, build.rs, Cargo.toml, wrangler.toml
        /// or .dev.vars change (by default they are polled every 500 ms; a failed build keeps
        /// the running worker).
        #[arg(long)]
        no_watch: bool,
        /// The workerd binary to run (default: the pinned one, installed with npm into the cache).
        #[arg(long, env = "TALLYMARK_WORKERD")]
        workerd: Option<PathBuf>,
    },
    /// Follow the store: print each new point as it arrives (by field name with a schema lock).
    Tail {
        /// The store's file.
        #[arg(long, default_value = store::DEFAULT_PATH)]
        db: PathBuf,
        /// The schema lock naming the fields (default: ./tallymark.lock when present).
        #[arg(long)]
        lock: Option<PathBuf>,
        /// Print the points already in the store first.
        #[arg(long)]
        all: bool,
    },
    /// Load points from a JSON Lines file into the local store.
    Ingest {
        /// The store's file.
        #[arg(long, default_value = store::DEFAULT_PATH)]
        db: PathBuf,
        /// One JSON object a line: dataset, index, blobs, doubles, timestamp, sample_interval.
        file: PathBuf,
    },
    /// Run an Analytics Engine SQL query on the local store (or check it, or send it to AE).
    Query(QueryArgs),
    /// Serve the local store behind Analytics Engine's SQL endpoint on 127.0.0.1.
    Serve {
        /// The store's file.
        #[arg(long, default_value = store::DEFAULT_PATH)]
        db: PathBuf,
        /// The port (0: any free port, printed at start).
        #[arg(long, default_value_t = 8788)]
        port: u16,
        /// The bearer token clients must send (generated and printed when not given).
        #[arg(long)]
        token: Option<String>,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// The schema lock whose field names queries may use.
        #[arg(long)]
        lock: Option<PathBuf>,
    },
    /// Export or check a schema lock (tallymark.lock).
    Schema {
        #[command(subcommand)]
        command: SchemaCommand,
    },
}

#[derive(clap::Args)]
struct QueryArgs {
    /// The store's file.
    #[arg(long, default_value = store::DEFAULT_PATH)]
    db: PathBuf,
    /// How to print the result (a trailing `FORMAT` clause in the query wins).
    #[arg(long, value_enum)]
    format: Option<output::Format>,
    /// The schema lock whose field names the query may use (default: ./tallymark.lock when present).
    #[arg(long)]
    lock: Option<PathBuf>,
    /// Only check that Analytics Engine would accept the query; with files or folders, check every
    /// `.sql` file in them.
    #[arg(long)]
    check: bool,
    /// Send the checked query to Analytics Engine's SQL API (CLOUDFLARE_ACCOUNT_ID,
    /// CLOUDFLARE_API_TOKEN) instead of the local store.
    #[arg(long, conflicts_with = "check")]
    remote: bool,
    /// The API's base URL for --remote.
    #[arg(long, env = "TALLYMARK_API_URL", default_value = remote::DEFAULT_API_URL)]
    api_url: String,
    /// The SQL, or with --check, SQL or `.sql` files and folders.
    #[arg(required = true)]
    sql: Vec<String>,
}

#[derive(Subcommand)]
enum SchemaCommand {
    /// Write the crate's schema lock from its layouts (`tallymark.lock` beside its Cargo.toml):
    /// the crate is checked again with `TALLYMARK_LOCK=write`. Review the diff before committing.
    Lock {
        /// The crate's directory.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Print each layout of the lock as JSON, an SQL query naming every column, or Markdown.
    Export {
        /// The schema lock.
        #[arg(long, default_value = tallymark_schema::FILE_NAME)]
        lock: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Only this layout (by its Rust name or its dataset).
        #[arg(long)]
        layout: Option<String>,
    },
    /// Check that a lock is sound: slots in range, one index per layout, no slot twice.
    Check {
        /// The schema lock.
        #[arg(long, default_value = tallymark_schema::FILE_NAME)]
        lock: PathBuf,
    },
}

/// The formats of `schema export`.
#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One JSON object a layout, one a line (as `Schema::to_json`).
    Json,
    /// One query a layout (as `Schema::to_sql`), separated by `;` and a blank line.
    Sql,
    /// One section a layout (as `Schema::to_markdown`).
    Markdown,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Dev {
            path,
            db,
            port,
            lock,
            no_build,
            no_watch,
            workerd,
        } => dev::run(&dev::Options {
            path,
            db,
            port,
            lock,
            no_build,
            no_watch,
            workerd,
        }),
        Command::Tail { db, lock, all } => {
            let (lock, _) = schema::read_given_or_beside(lock.as_deref(), Path::new(""))?;
            let shower = show::Shower::new(lock);
            tail::follow(&db, &shower, all, |line| emit(&format!("{line}\n")))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest { db, file } => run_ingest(&db, &file),
        Command::Query(args) => run_query(args),
        Command::Serve {
            db,
            port,
            token,
            host,
            lock,
        } => {
            let names = sql::names::Names::load(lock.as_deref())?;
            serve::serve(&serve::Config {
                db,
                host,
                port,
                token: token.unwrap_or_else(serve::new_token),
                names,
                announce: true,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { command } => run_schema(command),
    }
}

fn run_ingest(db: &Path, file: &Path) -> Result<ExitCode, String> {
    let input =
        std::fs::File::open(file).map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    let mut store = store::Store::open(db)?;
    let report = ingest::ingest(&mut store, std::io::BufReader::new(input), time::now())?;
    for (line, reason) in &report.rejected {
        eprintln!("{}:{line}: rejected: {reason}", file.display());
    }
    emit(&format!(
        "loaded {} into {}; {} rejected\n",
        counted(report.loaded, "point"),
        db.display(),
        counted(report.rejected.len(), "line")
    ));
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_query(args: QueryArgs) -> Result<ExitCode, String> {
    let names = sql::names::Names::load(args.lock.as_deref())?;
    if args.check {
        return Ok(sql::check_files::check_all(&args.sql, &names));
    }
    let text = args.sql.join(" ");
    let prepared = sql::prepare(&text, &names).map_err(|r| r.to_string())?;
    for warning in &prepared.warnings {
        eprintln!("warning: {warning}");
    }
    if args.remote {
        if args.format.is_some() {
            return Err(
                "`--format` does not apply to `--remote`, whose answer is printed as AE \
                        sends it: write `FORMAT JSONEachRow` or `FORMAT TabSeparated` in the query"
                    .to_owned(),
            );
        }
        let mut body = remote::send(&args.api_url, &prepared.ae_sql)?;
        if !body.ends_with('\n') {
            body.push('\n');
        }
        emit(&body);
        return Ok(ExitCode::SUCCESS);
    }
    let store = store::Store::open_read_only(&args.db)?;
    let result = sql::run(&store, &prepared)?;
    let format = prepared
        .format
        .or(args.format)
        .unwrap_or_else(output::Format::default_for_terminal);
    emit(&output::render(&result, format));
    Ok(ExitCode::SUCCESS)
}

fn run_schema(command: SchemaCommand) -> Result<ExitCode, String> {
    match command {
        SchemaCommand::Export {
            lock,
            format,
            layout,
        } => {
            let read = schema::read(&lock)?;
            let sections: Vec<_> = read
                .sections
                .iter()
                .filter(|s| {
                    layout
                        .as_deref()
                        .is_none_or(|name| s.layout == name || s.dataset == name)
                })
                .collect();
            if sections.is_empty() {
                let known: Vec<&str> = read.sections.iter().map(|s| s.layout.as_str()).collect();
                return Err(format!(
                    "no layout {} in {} (it has: {})",
                    layout.as_deref().unwrap_or("at all"),
                    lock.display(),
                    known.join(", ")
                ));
            }
            let rendered: Vec<String> = sections
                .iter()
                .map(|s| match format {
                    ExportFormat::Json => Layout::of_lock(s).to_json(),
                    ExportFormat::Sql => Layout::of_lock(s).to_sql(),
                    ExportFormat::Markdown => Layout::of_lock(s).to_markdown(),
                })
                .collect();
            let joined = match format {
                ExportFormat::Json => rendered.join("\n") + "\n",
                ExportFormat::Sql => rendered.join(";\n\n") + "\n",
                ExportFormat::Markdown => rendered.join("\n"),
            };
            emit(&joined);
            Ok(ExitCode::SUCCESS)
        }
        SchemaCommand::Lock { path } => {
            let lock = schema::write_lock(&path)?;
            emit(&format!(
                "wrote {}: review the diff, then commit it\n",
                lock.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        SchemaCommand::Check { lock } => {
            let read = schema::read(&lock)?;
            let problems = schema::check(&read);
            for problem in &problems {
                eprintln!("{problem}");
            }
            if problems.is_empty() {
                emit(&format!(
                    "{}: {} layouts, {} enums, sound\n",
                    lock.display(),
                    read.sections.len(),
                    read.enums.len()
                ));
                Ok(ExitCode::SUCCESS)
            } else {
                Err(format!("{}: {} problems", lock.display(), problems.len()))
            }
        }
    }
}
