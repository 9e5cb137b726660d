//! A worker crate's `wrangler.toml` and `.dev.vars`, as far as `tallymark dev` runs it: the
//! module, the compatibility date and flags, the Analytics Engine datasets, the Durable Object
//! bindings and classes, and the variables (`[vars]`, then `.dev.vars`, which wins).

use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// A worker as `tallymark dev` runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    /// `name`, or the folder's name.
    pub name: String,
    /// The crate's folder.
    pub dir: PathBuf,
    /// The main module (`main`, default `build/index.js`), relative to `dir`.
    pub main: PathBuf,
    /// `compatibility_date`.
    pub compatibility_date: String,
    /// `compatibility_flags`.
    pub compatibility_flags: Vec<String>,
    /// Each `[[analytics_engine_datasets]]`: binding and dataset.
    pub datasets: Vec<(String, String)>,
    /// Each `[[durable_objects.bindings]]` of a class of this worker: binding and class.
    pub durable_objects: Vec<(String, String)>,
    /// The Durable Object classes (bindings' and migrations'), with whether they use SQLite.
    pub classes: Vec<(String, bool)>,
    /// The variables: name and value, text or JSON (`[vars]`, then `.dev.vars`).
    pub vars: Vec<(String, Var)>,
    /// What the file declares that `tallymark dev` does not provide, one line each.
    pub ignored: Vec<String>,
}

/// A variable's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Var {
    /// A text binding (a string in `[vars]`, any line of `.dev.vars`).
    Text(String),
    /// A JSON binding (any other value in `[vars]`), as JSON text.
    Json(String),
}

/// The keys of `wrangler.toml` that declare bindings `tallymark dev` does not provide.
const UNSUPPORTED: [&str; 12] = [
    "kv_namespaces",
    "r2_buckets",
    "d1_databases",
    "services",
    "queues",
    "vectorize",
    "hyperdrive",
    "ai",
    "browser",
    "workflows",
    "send_email",
    "dispatch_namespaces",
];

/// Reads `dir/wrangler.toml` and `dir/.dev.vars` (when present).
pub fn read(dir: &Path) -> Result<Worker, String> {
    let file = dir.join("wrangler.toml");
    let text = std::fs::read_to_string(&file).map_err(|e| {
        format!(
            "cannot read {}: {e} (tallymark dev runs a workers-rs crate with a wrangler.toml)",
            file.display()
        )
    })?;
    let mut worker = parse(&text, dir).map_err(|e| format!("{}: {e}", file.display()))?;
    let dev_vars = dir.join(".dev.vars");
    if dev_vars.exists() {
        let text = std::fs::read_to_string(&dev_vars)
            .map_err(|e| format!("cannot read {}: {e}", dev_vars.display()))?;
        for (name, value) in
            parse_dev_vars(&text).map_err(|e| format!("{}:{e}", dev_vars.display()))?
        {
            worker.vars.retain(|(n, _)| *n != name);
            worker.vars.push((name, Var::Text(value)));
        }
    }
    Ok(worker)
}

fn string(table: &Table, key: &str, what: &str) -> Result<Option<String>, String> {
    match table.get(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("`{key}` of {what} is not a string")),
    }
}

fn tables<'a>(table: &'a Table, key: &str) -> Result<Vec<&'a Table>, String> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_table()
                    .ok_or_else(|| format!("an item of `{key}` is not a table"))
            })
            .collect(),
        Some(_) => Err(format!("`{key}` is not an array of tables ([[{key}]])")),
    }
}

fn strings(value: Option<&Value>, key: &str) -> Result<Vec<String>, String> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`{key}` holds a value that is not a string"))
            })
            .collect(),
        Some(_) => Err(format!("`{key}` is not an array of strings")),
    }
}

/// Reads the text of a `wrangler.toml` found in `dir`.
pub fn parse(text: &str, dir: &Path) -> Result<Worker, String> {
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("not TOML: {}", e.message()))?;
    let folder = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "worker".to_owned());
    let name = string(&table, "name", "the file")?.unwrap_or(folder);
    let main =
        PathBuf::from(string(&table, "main", "the file")?.unwrap_or("build/index.js".into()));
    let compatibility_date = string(&table, "compatibility_date", "the file")?.ok_or(
        "no `compatibility_date` (workerd needs one, e.g. compatibility_date = \"2026-11-01\")",
    )?;
    let compatibility_flags = strings(table.get("compatibility_flags"), "compatibility_flags")?;

    let mut datasets = Vec::new();
    for item in tables(&table, "analytics_engine_datasets")? {
        let what = "an [[analytics_engine_datasets]]";
        let binding =
            string(item, "binding", what)?.ok_or_else(|| format!("{what} has no `binding`"))?;
        // Without `dataset`, Analytics Engine names the dataset after the binding.
        let dataset = string(item, "dataset", what)?.unwrap_or_else(|| binding.clone());
        if !crate::store::is_dataset_name(&dataset) {
            return Err(format!(
                "the dataset `{dataset}` of binding {binding} is not a name the store can hold \
                 (letters, digits and `_`, not starting with a digit)"
            ));
        }
        datasets.push((binding, dataset));
    }

    let mut ignored = Vec::new();
    let mut durable_objects = Vec::new();
    let mut classes: Vec<(String, bool)> = Vec::new();
    let bindings = match table.get("durable_objects") {
        None => Vec::new(),
        Some(Value::Table(objects)) => tables(objects, "bindings")?,
        Some(_) => return Err("`durable_objects` is not a table".to_owned()),
    };
    for item in bindings {
        let what = "a [[durable_objects.bindings]]";
        let binding = string(item, "name", what)?.ok_or_else(|| format!("{what} has no `name`"))?;
        let class = string(item, "class_name", what)?
            .ok_or_else(|| format!("{what} has no `class_name`"))?;
        if let Some(script) = string(item, "script_name", what)? {
            ignored.push(format!(
                "Durable Object binding {binding}: class {class} of another worker ({script})"
            ));
            continue;
        }
        if !classes.iter().any(|(c, _)| *c == class) {
            classes.push((class.clone(), false));
        }
        durable_objects.push((binding, class));
    }
    for migration in tables(&table, "migrations")? {
        for (key, sqlite) in [("new_classes", false), ("new_sqlite_classes", true)] {
            for class in strings(migration.get(key), key)? {
                match classes.iter_mut().find(|(c, _)| *c == class) {
                    Some(entry) => entry.1 |= sqlite,
                    None => classes.push((class, sqlite)),
                }
            }
        }
        for class in strings(migration.get("deleted_classes"), "deleted_classes")? {
            classes.retain(|(c, _)| *c != class);
        }
    }

    let mut vars = Vec::new();
    match table.get("vars") {
        None => {}
        Some(Value::Table(items)) => {
            for (name, value) in items {
                let var = match value {
                    Value::String(text) => Var::Text(text.clone()),
                    other => Var::Json(toml_to_json(other).to_string()),
                };
                vars.push((name.clone(), var));
            }
        }
        Some(_) => return Err("`vars` is not a table".to_owned()),
    }
    for key in UNSUPPORTED {
        if table.contains_key(key) {
            ignored.push(format!("`{key}`: not provided by tallymark dev"));
        }
    }
    if table.contains_key("env") {
        ignored.push("`[env.*]`: tallymark dev runs the top-level configuration".to_owned());
    }
    Ok(Worker {
        name,
        dir: dir.to_owned(),
        main,
        compatibility_date,
        compatibility_flags,
        datasets,
        durable_objects,
        classes,
        vars,
        ignored,
    })
}

fn toml_to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::String(text) => J::String(text.clone()),
        Value::Integer(n) => J::from(*n),
        Value::Float(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        Value::Boolean(b) => J::Bool(*b),
        Value::Datetime(t) => J::String(t.to_string()),
        Value::Array(items) => J::Array(items.iter().map(toml_to_json).collect()),
        Value::Table(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Reads a `.dev.vars` file: `NAME=value` lines (`export ` allowed before the name), blank lines
/// and `#` comments skipped, a value in single quotes kept as written, one in double quotes with
/// `\n`, `\t`, `\"` and `\\` read as escapes. A bad line is an error with its number.
pub fn parse_dev_vars(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut vars = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            return Err(format!("{number}: expected NAME=value"));
        };
        let name = name.trim();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!("{number}: `{name}` is not a variable name"));
        }
        let value = value.trim();
        let value = if let Some(inner) = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|_| value.len() >= 2)
        {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            }
            out
        } else if let Some(inner) = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .filter(|_| value.len() >= 2)
        {
            inner.to_owned()
        } else {
            value.to_owned()
        };
        vars.push((name.to_owned(), value));
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_dev_needs() {
        let text = r#"
name = "kiloclaw"
main = "build/index.js"
compatibility_date = "2026-11-01"
compatibility_flags = ["nodejs_compat"]

[[analytics_engine_datasets]]
binding = "KILOCLAW_AE"
dataset = "kiloclaw_events"

[[analytics_engine_datasets]]
binding = "RAW"

[[durable_objects.bindings]]
name = "KILOCLAW_INSTANCE"
class_name = "KiloClawInstance"

[[durable_objects.bindings]]
name = "OTHER"
class_name = "Elsewhere"
script_name = "other-worker"

[[migrations]]
tag = "v1"
new_classes = ["KiloClawInstance"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Ledger"]

[vars]
INTERNAL_API_KEY = "dev-internal-key"
LIMITS = { max = 3 }

[[queues.consumers]]
queue = "kiloclaw-restore"
"#;
        let worker = parse(text, Path::new("/nowhere/kc")).unwrap();
        assert_eq!(
            worker,
            Worker {
                name: "kiloclaw".into(),
                dir: PathBuf::from("/nowhere/kc"),
                main: PathBuf::from("build/index.js"),
                compatibility_date: "2026-11-01".into(),
                compatibility_flags: vec!["nodejs_compat".into()],
                datasets: vec![
                    ("KILOCLAW_AE".into(), "kiloclaw_events".into()),
                    ("RAW".into(), "RAW".into())
                ],
                durable_objects: vec![("KILOCLAW_INSTANCE".into(), "KiloClawInstance".into())],
                classes: vec![("KiloClawInstance".into(), false), ("Ledger".into(), true)],
                vars: vec![
                    (
                        "INTERNAL_API_KEY".into(),
                        Var::Text("dev-internal-key".into())
                    ),
                    ("LIMITS".into(), Var::Json(r#"{"max":3}"#.into())),
                ],
                ignored: vec![
                    "Durable Object binding OTHER: class Elsewhere of another worker (other-worker)"
                        .into(),
                    "`queues`: not provided by tallymark dev".into(),
                ],
            }
        );
    }

    #[test]
    fn bad_files_say_why() {
        let dir = Path::new("/nowhere");
        let cases = [
            ("name = ", "not TOML: string values must be quoted, expected literal string"),
            ("name = \"x\"", "no `compatibility_date` (workerd needs one, e.g. compatibility_date = \"2026-11-01\")"),
            ("compatibility_date = \"2026-01-01\"\n[[analytics_engine_datasets]]\ndataset = \"x\"", "an [[analytics_engine_datasets]] has no `binding`"),
            ("compatibility_date = \"2026-01-01\"\n[[analytics_engine_datasets]]\nbinding = \"B\"\ndataset = \"a-b\"", "the dataset `a-b` of binding B is not a name the store can hold (letters, digits and `_`, not starting with a digit)"),
            ("compatibility_date = 2026", "`compatibility_date` of the file is not a string"),
        ];
        for (text, error) in cases {
            assert_eq!(parse(text, dir).unwrap_err(), error, "{text}");
        }
    }

    #[test]
    fn dev_vars() {
        let text = "# secrets\nAPI_KEY=abc=def\nexport QUOTED=\"a\\nb \\\"c\\\"\"\nRAW='x\\ny'\n\nEMPTY=\n";
        assert_eq!(
            parse_dev_vars(text).unwrap(),
            [
                ("API_KEY".to_owned(), "abc=def".to_owned()),
                ("QUOTED".to_owned(), "a\nb \"c\"".to_owned()),
                ("RAW".to_owned(), "x\\ny".to_owned()),
                ("EMPTY".to_owned(), String::new()),
            ]
        );
        assert_eq!(
            parse_dev_vars("A=1\nnope").unwrap_err(),
            "2: expected NAME=value"
        );
        assert_eq!(
            parse_dev_vars("1A=1").unwrap_err(),
            "1: `1A` is not a variable name"
        );
    }
}
