//! `tallymark query --check`: SQL given inline, or `.sql` files and folders of them, each checked
//! against Analytics Engine's rules, for CI.

use super::names::Names;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every `.sql` file under `dir`, sorted.
fn sql_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sql_files(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "sql") {
            found.push(path);
        }
    }
    Ok(())
}

/// The result of checking one query: `None` when accepted, with its warnings printed.
fn report(label: &str, sql: &str, names: &Names) -> bool {
    match super::prepare(sql, names) {
        Ok(prepared) => {
            for warning in &prepared.warnings {
                println!("{label}: warning: {warning}");
            }
            println!("{label}: ok");
            true
        }
        Err(rejection) => {
            println!("{label}: rejected: {rejection}");
            false
        }
    }
}

/// Checks each argument (a path when one exists, else SQL); exit 0 when AE would accept all.
pub fn check_all(arguments: &[String], names: &Names) -> ExitCode {
    let mut accepted = true;
    let mut inline = Vec::new();
    for argument in arguments {
        let path = Path::new(argument);
        if !path.exists() {
            // Named like a path: a missing file or folder, not SQL that fails to parse.
            if argument.ends_with('/') || argument.ends_with(".sql") {
                eprintln!("error: no such file or folder: {argument}");
                accepted = false;
            } else {
                inline.push(argument.as_str());
            }
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            if let Err(message) = sql_files(path, &mut files) {
                eprintln!("error: {message}");
                accepted = false;
            }
        } else {
            files.push(path.to_owned());
        }
        for file in files {
            match std::fs::read_to_string(&file) {
                Ok(sql) => accepted &= report(&file.display().to_string(), &sql, names),
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", file.display());
                    accepted = false;
                }
            }
        }
    }
    if !inline.is_empty() {
        accepted &= report("query", &inline.join(" "), names);
    }
    if accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
